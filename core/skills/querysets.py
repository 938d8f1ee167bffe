"""Queries over assessments that every reader needs: the latest level per person and skill."""

from django.db import models
from django.db.models import F, Window
from django.db.models.functions import RowNumber


class AssessmentQuerySet(models.QuerySet):
    def by_reviewers(self) -> "AssessmentQuerySet":
        """Assessments by someone other than the subject: what the current level is made of."""
        return self.exclude(assessor_role="self")

    def by_self(self) -> "AssessmentQuerySet":
        return self.filter(assessor_role="self")

    def latest_per_person_and_skill(self) -> "AssessmentQuerySet":
        """Only the newest row of each (subject, skill) pair, in one query (a window function)."""
        return self.annotate(
            recency=Window(
                RowNumber(),
                partition_by=[F("subject_id"), F("skill_id")],
                order_by=[F("created_at").desc(), F("pk").desc()],
            )
        ).filter(recency=1)


class SkillQuerySet(models.QuerySet):
    def active(self) -> "SkillQuerySet":
        return self.filter(retired=False)
