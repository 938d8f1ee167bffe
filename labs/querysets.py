from django.db import models


class SubmissionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SubmissionQuerySet":
        """Your own submissions, and those of everyone whose profile you may see."""
        from core.models import Person

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(person__in=Person.objects.visible_to(user).values("pk"))
