"""Curriculum's suggestions for a skill gap in the growth plan: the released labs that train the
skill (not yet passed) and the path modules that teach it; and for a newcomer, the learning paths
of their career stage. Registered from `ready()`."""

from django.urls import reverse

from core.models import CareerStage
from core.onboarding import PathSuggestion
from core.skills.suggestions import Suggestion
from curriculum.models import Audience, Enrolment, Module, Path
from curriculum.selectors import lab_passes
from labs.models import Lab

MAX_LABS = 3
MAX_MODULES = 2


def suggest_labs_and_modules(*, person, skill, gap: int) -> list[Suggestion]:
    return _labs(person, skill) + _modules(skill)


def _labs(person, skill) -> list[Suggestion]:
    released = Lab.objects.filter(is_published=True, current_version__isnull=False).only(
        "slug", "title", "skills"
    )
    labs = [lab for lab in released.order_by("title") if skill.slug in (lab.skills or [])]
    passed = (
        lab_passes(people_ids=[person.pk], lab_slugs=[lab.slug for lab in labs]) if labs else {}
    )
    return [
        Suggestion(
            text=f"Take the lab “{lab.title}”, which trains {skill.name}",
            url=lab.get_absolute_url(),
            source="labs",
        )
        for lab in labs
        if (person.pk, lab.slug) not in passed
    ][:MAX_LABS]


def _modules(skill) -> list[Suggestion]:
    modules = (
        Module.objects.filter(skills=skill)
        .select_related("path")
        .order_by("path__position", "position")[:MAX_MODULES]
    )
    return [
        Suggestion(
            text=f"Read “{module.title}” in the learning path {module.path.title}",
            url=module.get_absolute_url(),
            source="curriculum",
        )
        for module in modules
    ]


def suggest_paths_for_stage(*, person) -> list[PathSuggestion]:
    """Onboarding's "what to learn first" (core.onboarding): the paths for the person's career
    stage (and the managers' paths if people report to them), each with one-click enrolment.
    Three queries, however many paths."""
    early = person.career_stage == CareerStage.EARLY_CAREER
    audiences = {Audience.EARLY_CAREER if early else Audience.SENIOR}
    if person.reports.exists():
        audiences.add(Audience.MANAGER)
    paths = list(Path.objects.filter(audience__in=audiences).order_by("position", "title"))
    enrolled = set(
        Enrolment.objects.filter(person=person, path__in=paths).values_list("path_id", flat=True)
    )
    return [
        PathSuggestion(
            title=path.title,
            url=path.get_absolute_url(),
            summary=path.summary,
            enrol_url=reverse("curriculum:enrol", kwargs={"slug": path.slug}),
            enrolled=path.pk in enrolled,
        )
        for path in paths
    ]
