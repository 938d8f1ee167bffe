from django.db import models


class EnrolmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "EnrolmentQuerySet":
        """Enrolments of the people whose profile you may see (`Person.objects.visible_to`):
        yourself, your reports, your mentees; staff see all."""
        from core.models import Person

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(person__in=Person.objects.visible_to(user).values("pk"))
