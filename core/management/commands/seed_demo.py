import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from core import demo
from core.models import Person, Team


class Command(BaseCommand):
    help = "Create (or bring back) the demo organisation and print its logins. Idempotent."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        teams = self._teams()
        people: dict[str, Person] = {}
        for row in demo.PEOPLE:
            people[row[0]] = self._person(row, teams, people, is_staff=False)
        self._person(demo.ADMIN, teams, people, is_staff=True)
        for seeder in demo.seeders():
            with transaction.atomic():  # a savepoint: one app's failure leaves the rest intact
                seeder(stdout=self.stdout)
        self._print_logins()

    def _teams(self) -> dict[str, Team]:
        teams: dict[str, Team] = {}
        for slug, name, parent, description in demo.TEAMS:
            teams[slug], _ = Team.objects.update_or_create(
                slug=slug,
                defaults={"name": name, "parent": teams.get(parent), "description": description},
            )
        return teams

    def _person(self, row, teams, people, *, is_staff: bool) -> Person:
        username, first, last, team, manager, stage, title, tz = row
        user, created = get_user_model().objects.update_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@{demo.EMAIL_DOMAIN}",
                "is_staff": is_staff,
                "is_superuser": is_staff,
                "is_active": True,
            },
        )
        if created or not user.has_usable_password():
            user.set_password(demo.DEMO_PASSWORD)
            user.save(update_fields=["password"])
        self._verified_email(user)
        person, _ = Person.objects.update_or_create(
            user=user,
            defaults={
                "team": teams[team],
                "manager": people.get(manager),
                "career_stage": stage,
                "title": title,
                "timezone": tz,
                "joined_on": datetime.date(2024, 1, 8) + datetime.timedelta(days=37 * len(people)),
            },
        )
        person.full_clean()
        return person

    def _verified_email(self, user) -> None:
        from allauth.account.models import EmailAddress

        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )

    def _print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS("Demo organisation ready. Sign in with:"))
        self.stdout.write(f"  password for every demo account: {demo.DEMO_PASSWORD}")
        self.stdout.write("  maya   director (everyone reports to her, transitively)")
        self.stdout.write("  tomas  manager of ML Platform")
        self.stdout.write("  priya  senior engineer")
        self.stdout.write("  amara  early-career engineer")
        self.stdout.write("  admin  staff administrator (asks you to set up two-factor first)")
