import datetime

import pytest
from django.utils import timezone

from core.models import CareerStage
from core.skills import selectors
from core.skills.models import AssessorRole, Skill, SkillTarget
from core.skills.suggestions import Suggestion, _suggesters, register_gap_suggester
from tests.factories import AssessmentFactory, EvidenceFactory, PersonFactory, TeamFactory


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def rated(subject, level, *, by=None, skill="coding", days=1, note=""):
    """An assessment row written directly, `days` ago (by the subject unless `by`)."""
    assessor = by or subject
    role = AssessorRole.SELF if assessor == subject else AssessorRole.MANAGER
    return AssessmentFactory(
        subject=subject,
        assessor=assessor,
        assessor_role=role,
        skill=Skill.objects.get(slug=skill),
        level=level,
        note=note,
        created_at=days_ago(days),
    )


def row(matrix, slug):
    return next(r for r in matrix.rows if r.skill.slug == slug)


def test_current_is_the_latest_reviewer_level_with_self_and_difference_beside_it(org):
    rated(org.engineer, 1, by=org.manager, days=90)
    rated(org.engineer, 2, by=org.director, days=30)
    rated(org.engineer, 4, days=10)  # a later self-rating never becomes "current"
    EvidenceFactory(person=org.engineer)
    EvidenceFactory(person=org.engineer)

    coding = row(selectors.person_matrix(person=org.engineer), "coding")

    assert coding.current == 2
    assert coding.self_level == 4
    assert coding.self_difference == 2
    assert coding.history == [1, 2]
    assert coding.trend == 1
    assert coding.target == 2  # early-career target for coding
    assert coding.gap == 0
    assert coding.evidence_count == 2


def test_an_unassessed_skill_counts_as_level_0_for_the_gap(org):
    matrix = selectors.person_matrix(person=org.engineer)

    testing = row(matrix, "testing")

    assert testing.current is None and testing.trend is None and testing.self_difference is None
    assert testing.gap == testing.target
    assert not matrix.assessed


def test_the_growth_plan_lists_the_biggest_gaps_first_with_suggestions(org):
    principal = org.director  # principal targets are high: big gaps
    rated(principal, 4, by=org.staff, skill="coding")
    rated(principal, 1, by=org.staff, skill="evaluation")

    def lab_suggester(*, person, skill, gap):
        return [Suggestion(text=f"Take the {skill.slug} lab", url="/labs/x/", source="labs")]

    register_gap_suggester(lab_suggester)
    try:
        plan = selectors.growth_plan(matrix=selectors.person_matrix(person=principal))
    finally:
        _suggesters.remove(lab_suggester)

    gaps = [item.row.gap for item in plan]
    assert gaps == sorted(gaps, reverse=True)
    assert "coding" not in [item.row.skill.slug for item in plan]  # on target: no gap
    assert len(plan) == selectors.GROWTH_PLAN_SIZE
    sources = {s.source for s in plan[0].suggestions}
    assert sources == {"core", "labs"}
    assert plan[0].next_step == plan[0].row.skill.rubric_for(plan[0].row.next_level)


def test_notes_are_for_the_subject_the_assessor_managers_and_staff(org):
    rated(org.engineer, 2, by=org.manager, note="Solid refactoring of the loader.")
    coding = Skill.objects.get(slug="coding")

    def note_visible(user):
        history = selectors.assessment_history(user=user, subject=org.engineer, skill=coding)
        return history.get().note_visible

    assert note_visible(org.engineer.user)  # subject
    assert note_visible(org.manager.user)  # assessor
    assert note_visible(org.director.user)  # the subject's manager, transitively
    assert note_visible(org.staff.user)  # staff see everything in this product
    assert not note_visible(org.peer.user)
    assert not note_visible(org.outsider.user)


def test_the_heatmap_shows_people_you_may_see_with_levels_and_gaps(org):
    rated(org.engineer, 3, by=org.manager)
    rated(org.peer, 0, by=org.manager)

    heatmap = selectors.heatmap(user=org.manager.user)

    people = {r.person.user.username: r for r in heatmap.rows}
    assert set(people) == {"manager", "engineer", "peer"}
    cells = {r: {c.skill.slug: c for c in people[r].cells} for r in people}
    assert cells["engineer"]["coding"].level == 3 and cells["engineer"]["coding"].gap == -1
    assert cells["peer"]["coding"].level == 0 and cells["peer"]["coding"].gap == 2
    assert cells["peer"]["testing"].level is None


def test_the_heatmap_filters_by_team_with_nested_teams_and_by_career_stage(org):
    parent = TeamFactory()
    nested = TeamFactory(parent=parent)
    inside = PersonFactory(manager=org.manager, team=nested, career_stage=CareerStage.SENIOR)

    by_team = selectors.heatmap(user=org.manager.user, team=parent)
    by_stage = selectors.heatmap(user=org.manager.user, career_stage=CareerStage.SENIOR)
    engineers = selectors.heatmap(user=org.engineer.user)

    assert [r.person for r in by_team.rows] == [inside]
    assert [r.person for r in by_stage.rows] == [inside]
    assert [r.person for r in engineers.rows] == [org.engineer]


def test_coverage_counts_people_per_level_and_finds_thin_skills(org):
    rated(org.engineer, 3, by=org.manager, skill="evaluation")
    rated(org.peer, 1, by=org.manager, skill="evaluation", days=30)
    rated(org.peer, 4, by=org.manager, skill="evaluation", days=2)
    rated(org.manager, 3, by=org.director, skill="telemetry")

    total, rows = selectors.coverage()
    by_slug = {r.skill.slug: r for r in rows}

    assert total == 6
    assert by_slug["evaluation"].per_level == [0, 0, 0, 1, 1]  # the peer's latest level counts
    assert by_slug["evaluation"].experts == 2
    assert by_slug["evaluation"].not_assessed == 4
    assert by_slug["telemetry"].experts == 1
    assert by_slug["coding"].experts == 0


def test_who_is_strong_in_a_skill_uses_current_levels_only(org):
    rated(org.engineer, 4, by=org.manager, skill="evaluation", days=60)
    rated(org.engineer, 2, by=org.manager, skill="evaluation", days=5)  # no longer strong
    rated(org.peer, 3, by=org.manager, skill="evaluation")
    rated(org.outsider, 4, skill="evaluation")  # self-ratings do not count

    experts = selectors.skill_experts(skill=Skill.objects.get(slug="evaluation"))

    assert [(e.subject, e.level) for e in experts] == [(org.peer, 3)]


def test_reviewers_are_the_managers_up_the_line(org):
    assert list(selectors.reviewer_candidates(person=org.engineer).order_by("pk")) == [
        org.director,
        org.manager,
    ]
    assert not selectors.reviewer_candidates(person=org.outsider).exists()


@pytest.mark.parametrize("stage", CareerStage.values)
def test_every_stage_has_a_target_for_every_active_skill(db, stage):
    assert SkillTarget.objects.filter(career_stage=stage).count() == Skill.objects.count()
