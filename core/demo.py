"""The demo organisation: who is in it. `seed_demo` makes it exist, idempotently.

Other apps add their own demo data (assessments, labs, mentorships…) by registering a seeder
from their `AppConfig.ready()`; `seed_demo` runs them, in registration order, after the people
exist. A seeder must be idempotent too.
"""

from collections.abc import Callable

Seeder = Callable[..., None]
_seeders: list[Seeder] = []


def register_seeder(seeder: Seeder) -> None:
    """`seeder(stdout=…)` is called by `seed_demo` after the organisation exists."""
    if seeder not in _seeders:
        _seeders.append(seeder)


def seeders() -> list[Seeder]:
    return list(_seeders)


DEMO_PASSWORD = "cultivate-demo"  # noqa: S105 - printed on purpose; demo accounts only

# slug, name, parent slug, description
TEAMS = [
    ("ml-platform", "ML Platform", None, "Training pipelines, feature store and model serving."),
    ("applied-ml", "Applied ML", None, "Models in the product: ranking, search and assistants."),
    ("search-relevance", "Search Relevance", "applied-ml", "Retrieval, ranking and evaluation."),
    ("data-engineering", "Data Engineering", None, "Ingestion, data quality and lineage."),
]

# username, first, last, team, manager username, career stage, title, time zone
PEOPLE = [
    ("maya", "Maya", "Okafor", "ml-platform", None, "principal", "Director of ML Engineering", "Europe/London"),
    ("tomas", "Tomás", "Silva", "ml-platform", "maya", "staff", "Engineering Manager, ML Platform", "Europe/Lisbon"),
    ("ines", "Inès", "Moreau", "applied-ml", "maya", "staff", "Engineering Manager, Applied ML", "Europe/Paris"),
    ("kenji", "Kenji", "Watanabe", "data-engineering", "maya", "staff", "Engineering Manager, Data", "Asia/Tokyo"),
    ("priya", "Priya", "Raman", "ml-platform", "tomas", "senior", "Senior ML Engineer", "Asia/Kolkata"),
    ("lars", "Lars", "Berg", "ml-platform", "tomas", "senior", "Senior MLOps Engineer", "Europe/Oslo"),
    ("amara", "Amara", "Nwosu", "ml-platform", "tomas", "early_career", "ML Engineer", "Africa/Lagos"),
    ("ben", "Ben", "Carter", "ml-platform", "tomas", "early_career", "ML Engineer", "America/New_York"),
    ("sofia", "Sofia", "Rossi", "applied-ml", "ines", "senior", "Senior Applied Scientist", "Europe/Rome"),
    ("noah", "Noah", "Fischer", "search-relevance", "ines", "senior", "Senior ML Engineer, Search", "Europe/Berlin"),
    ("lea", "Léa", "Dubois", "search-relevance", "noah", "early_career", "ML Engineer, Search", "Europe/Paris"),
    ("omar", "Omar", "Haddad", "applied-ml", "ines", "early_career", "ML Engineer", "Asia/Dubai"),
    ("hana", "Hana", "Kim", "applied-ml", "sofia", "early_career", "Associate ML Engineer", "Asia/Seoul"),
    ("diego", "Diego", "Luna", "data-engineering", "kenji", "senior", "Senior Data Engineer", "America/Mexico_City"),
    ("grace", "Grace", "Lee", "data-engineering", "kenji", "early_career", "Data Engineer", "America/Los_Angeles"),
    ("yusuf", "Yusuf", "Demir", "data-engineering", "kenji", "early_career", "Data Engineer", "Europe/Istanbul"),
]  # fmt: skip

# The staff admin: everything, through the portal and Django admin (two-factor required).
ADMIN = ("admin", "Ada", "Admin", "ml-platform", None, "staff", "Platform administrator", "UTC")

EMAIL_DOMAIN = "example.com"


def seed_onboarded(*, stdout=None) -> None:
    """The seed placed every demo person (team, manager, stage): nobody has anything to set up.
    Only people still marked as new are touched, so a second run changes nothing."""
    from django.utils import timezone

    from core.models import Person

    usernames = [row[0] for row in PEOPLE] + [ADMIN[0]]
    Person.objects.filter(user__username__in=usernames, onboarded_at__isnull=True).update(
        onboarded_at=timezone.now()
    )


# core's own seeder, registered here rather than from an AppConfig: it belongs with the people
# it marks, and `seed_demo` imports this module before it runs the seeders.
register_seeder(seed_onboarded)
