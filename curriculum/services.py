"""Writes for curriculum: loading the path files, and enrolments. Keyword-only, validated.

Enrolling someone else is `PermissionDenied` unless you manage them (pages and the API answer
404); enrolling twice is a `ValidationError`.
"""

import pathlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.models import Person
from core.skills.models import Skill
from curriculum.loader import PATHS_DIR, ModuleSpec, PathSpec, read_paths
from curriculum.models import Enrolment, Module, Path, Step
from curriculum.selectors import may_enrol

# --- Loading the path files -----------------------------------------------------------------


@transaction.atomic
def paths_load(*, folder: pathlib.Path = PATHS_DIR) -> list[Path]:
    """Load every path file of `folder`; loading the same files again changes nothing.

    Every file is read and checked before anything is written. Modules and steps keep their
    rows (and ids) by position; those a file no longer has are removed. Enrolments stay.
    """
    specs = read_paths(folder)
    skills = {skill.slug: skill for skill in Skill.objects.all()}
    return [_store_path(spec, skills) for spec in specs]


def _store_path(spec: PathSpec, skills: dict[str, Skill]) -> Path:
    path = _upsert(
        Path,
        {"slug": spec.slug},
        title=spec.title,
        audience=spec.audience,
        summary=spec.summary,
        position=spec.position,
        source=f"curriculum/paths/{spec.file.name}",
    )
    for position, module_spec in enumerate(spec.modules, 1):
        _store_module(path, position, module_spec, skills)
    path.modules.filter(position__gt=len(spec.modules)).delete()
    return path


def _store_module(path: Path, position: int, spec: ModuleSpec, skills: dict[str, Skill]) -> None:
    module = _upsert(
        Module, {"path": path, "position": position}, title=spec.title, reading=spec.reading
    )
    module.skills.set([skills[slug] for slug in spec.skills])
    for number, step in enumerate(spec.steps, 1):
        _upsert(
            Step,
            {"module": module, "position": number},
            kind=step.kind,
            title=step.title,
            lab_slug=step.lab_slug,
            skill_id=skills[step.skill].pk if step.skill else None,
            evidence_kind=step.evidence_kind,
            activity=step.activity,
        )
    module.steps.filter(position__gt=len(spec.steps)).delete()


def _upsert(model, lookup: dict, **values):
    row = model.objects.filter(**lookup).first() or model(**lookup)
    changed = row.pk is None or any(getattr(row, k) != v for k, v in values.items())
    if changed:
        for key, value in values.items():
            setattr(row, key, value)
        row.full_clean()
        row.save()
    return row


# --- Enrolments -----------------------------------------------------------------------------


@transaction.atomic
def enrolment_create(*, person: Person, path: Path, enrolled_by: Person) -> Enrolment:
    """Enrol yourself, or a person who reports to you (directly or through others)."""
    if not may_enrol(by=enrolled_by, person=person):
        raise PermissionDenied("You may enrol yourself and the people who report to you.")
    if Enrolment.objects.filter(person=person, path=path).exists():
        who = "You are" if person.pk == enrolled_by.pk else f"{person.display_name} is"
        raise ValidationError({"path": f"{who} already enrolled in {path.title}."})
    enrolment = Enrolment(person=person, path=path, enrolled_by=enrolled_by)
    enrolment.full_clean()
    enrolment.save()
    return enrolment


def enrolment_delete(*, enrolment: Enrolment, by: Person) -> None:
    """Leave a path (or take a report off it). What they did stays done: progress is derived."""
    if not may_enrol(by=by, person=enrolment.person):
        raise PermissionDenied("You may only take yourself or your reports off a path.")
    enrolment.delete()
