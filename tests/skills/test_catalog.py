"""Acceptance 1: the catalog holds all 17 skills with 5-level rubrics; targets exist for each
career stage. It is loaded by a data migration, edited by staff and retired, never deleted."""

import pytest
from django.contrib.admin.sites import site

from core.models import CareerStage
from core.skills import catalog
from core.skills.models import Skill, SkillGroup, SkillTarget

GROUPS = {
    SkillGroup.FOUNDATIONS: {
        "coding",
        "testing",
        "devops-ci-cd",
        "code-review",
        "prioritisation",
    },
    SkillGroup.PRODUCTION_ML: {
        "data-science-process",
        "data-management",
        "privacy-security",
        "training-pipelines",
        "model-prompt-management",
        "evaluation",
        "telemetry",
        "human-in-the-loop",
        "user-feedback-loops",
    },
    SkillGroup.GROWING_OTHERS: {"mentoring", "cross-team-collaboration", "driving-innovation"},
}


def test_the_catalog_holds_17_skills_with_five_level_rubrics_and_targets_per_stage(db):
    skills = Skill.objects.prefetch_related("targets")

    assert skills.count() == 17
    for group, slugs in GROUPS.items():
        assert set(skills.filter(group=group).values_list("slug", flat=True)) == slugs
    for skill in skills:
        rubric = skill.rubric()
        assert [level for level, _, _ in rubric] == [0, 1, 2, 3, 4], skill
        assert all(text.strip() for _, _, text in rubric), skill
        assert skill.description.strip()
        targets = {t.career_stage: t.level for t in skill.targets.all()}
        assert set(targets) == set(CareerStage.values), skill
        assert all(0 <= level <= 4 for level in targets.values())


def test_targets_grow_with_the_career_stage(db):
    order = list(CareerStage.values)
    for skill in Skill.objects.prefetch_related("targets"):
        levels = sorted(skill.targets.all(), key=lambda t: order.index(t.career_stage))
        assert [t.level for t in levels] == sorted(t.level for t in levels), skill


def test_the_migration_loaded_what_the_catalog_module_says(db):
    """catalog.py and migration 0004 agree; a change to one needs a new data migration."""
    for slug, short, name, group, description, rubric, targets in catalog.SKILLS:
        skill = Skill.objects.get(slug=slug)
        assert (skill.short_name, skill.name, skill.group) == (short, name, group)
        assert skill.description == description
        assert tuple(text for _, _, text in skill.rubric()) == rubric
        stored = dict(skill.targets.values_list("career_stage", "level"))
        assert stored == dict(zip(catalog.STAGES, targets, strict=True))
    assert SkillTarget.objects.count() == 17 * 4


@pytest.mark.parametrize("model", ["skill", "skilltarget", "assessment", "evidence"])
def test_staff_cannot_delete_catalog_rows_or_records_in_the_admin(rf, org, model):
    request = rf.get("/admin/")
    request.user = org.staff.user
    model_admin = next(a for m, a in site._registry.items() if m._meta.model_name == model)

    assert model_admin.has_delete_permission(request) is False


def test_staff_retire_a_skill_and_it_leaves_the_matrix(client, org):
    client.force_login(org.staff.user)
    skill = Skill.objects.get(slug="coding")

    response = client.post(
        f"/admin/core/skill/{skill.pk}/change/",
        {
            "name": skill.name,
            "slug": skill.slug,
            "short_name": skill.short_name,
            "group": skill.group,
            "position": skill.position,
            "retired": "on",
            "description": skill.description,
            **{f"rubric_{level}": text for level, _, text in skill.rubric()},
            "targets-TOTAL_FORMS": "0",
            "targets-INITIAL_FORMS": "0",
        },
    )
    skill.refresh_from_db()
    matrix = client.get("/skills/").content.decode()

    assert response.status_code == 302
    assert skill.retired
    assert f"/skills/person/{org.staff.pk}/skill/coding/" not in matrix
    assert client.get("/skills/catalog/coding/").status_code == 200  # its page stays
