from django.db import models
from django.db.models import Count, FloatField, IntegerField, OuterRef, Subquery, Value
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, Coalesce

# labs.spec.LabSettings' default, for a version whose stored spec has none.
DEFAULT_PASSING_SCORE = 100.0


class SubmissionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SubmissionQuerySet":
        """Your own submissions, and those of everyone whose profile you may see."""
        from core.models import Person

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(person__in=Person.objects.visible_to(user).values("pk"))

    def counting_attempts(self) -> "SubmissionQuerySet":
        """The submissions that use up an attempt: one that failed to grade does not, nor one a
        reviewer sent back (SubmissionStatus.FAILED and REJECTED: models imports us)."""
        return self.exclude(status__in=["failed", "rejected"])

    def awaiting_review(self) -> "SubmissionQuerySet":
        """Graded submissions waiting for a reviewer's sign-off, the longest waiting first."""
        return self.filter(status="needs_review").order_by("graded_at", "pk")

    def with_outcome(self) -> "SubmissionQuerySet":
        """Annotated with what judging a grade needs, in this one query (no spec is loaded):
        `pass_mark`, the passing score (percent) of the version that graded it (a regrade's, or
        the one it was submitted to);
        `attempts_limit`, the lab's current limit (0: none); `attempts_used`, the person's
        attempts at the lab so far."""
        used = (
            self.model.objects.counting_attempts()
            .filter(lab=OuterRef("lab"), person=OuterRef("person"))
            .order_by()
            .values("lab")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(
            pass_mark=Coalesce(
                Cast(_setting("graded_version__spec", "passing_score"), FloatField()),
                Cast(_setting("version__spec", "passing_score"), FloatField()),
                Value(DEFAULT_PASSING_SCORE),
            ),
            attempts_limit=Coalesce(
                Cast(_setting("lab__current_version__spec", "max_attempts"), IntegerField()),
                Value(0),
            ),
            attempts_used=Coalesce(Subquery(used, output_field=IntegerField()), Value(0)),
        )


def _setting(spec_path: str, name: str) -> KeyTextTransform:
    """A lab setting, as text, from the spec at `spec_path` (joins allowed, unlike `KT()`)."""
    return KeyTextTransform(name, KeyTransform("settings", spec_path))
