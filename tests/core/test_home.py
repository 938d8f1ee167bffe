"""Issue 14: the home page answers each role's question (engineer, mentor, manager, staff) with
a panel per question, shows nothing a person may not read, and runs as many database queries
with ten times the data (reports, mentees, submissions, feedback…) as with a little."""

import datetime
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import CareerStage, WorkerHeartbeat
from core.skills.models import Skill
from hackathons.models import Idea, Phase, Vote
from labs.format import load_lab
from labs.models import GradingRun, LabProblemReport, Submission, SubmissionStatus
from labs.services import lab_store
from mentoring.models import (
    ActionItem,
    FeedbackNote,
    FeedbackVisibility,
    LearningEntry,
    Question,
    Session,
)
from tests.factories import PersonFactory, TeamFactory, staff_person
from tests.hackathons.helpers import make_event, make_team
from tests.labs.conftest import REFERENCE_LAB
from tests.mentoring.conftest import active_mentorship, make_expert, open_mentor
from tests.skills.test_queries import queries

TODAY = timezone.localdate


class World:
    """A manager; under them a senior mentor and an early-career engineer mentored by them;
    staff; one released lab (it trains Testing) and a hackathon in its building phase."""

    def __init__(self):
        self.lab = lab_store(spec=load_lab(REFERENCE_LAB), report={}).lab
        team = TeamFactory(name="Search")
        self.manager = PersonFactory(
            team=team, career_stage=CareerStage.STAFF, user__username="manager"
        )
        self.mentor = PersonFactory(
            team=team,
            manager=self.manager,
            career_stage=CareerStage.SENIOR,
            user__username="mentor",
            user__first_name="Mona",
            user__last_name="Mentor",
        )
        self.engineer = PersonFactory(
            team=team,
            manager=self.manager,
            user__username="engineer",
            user__first_name="Eli",
            user__last_name="Engineer",
        )
        self.staff = staff_person(user__username="staff")
        self.other = PersonFactory(user__username="other", career_stage=CareerStage.SENIOR)
        open_mentor(self.mentor, capacity=10, skills=["coding"])
        make_expert(self.mentor, "coding", 3, reviewer=self.manager)
        make_expert(self.engineer, "testing", 1, reviewer=self.manager)
        self.mentorship = active_mentorship(self.mentor, self.engineer, cadence="fortnightly")
        Session.objects.create(mentorship=self.mentorship, date=TODAY() - timedelta(days=6))
        Session.objects.create(mentorship=self.mentorship, date=TODAY() + timedelta(days=4))
        self.event = make_event(Phase.BUILDING, slug="spring", organisers=[self.manager])
        self.team = make_team(self.event, self.engineer, name="Label queue")
        self.rounds = 0


def add_activity(world: World, count: int) -> None:
    """`count` more of everything each role's home shows: reports without a mentor, mentees
    with sessions and a grade waiting for sign-off, feedback, learning time, lab attempts,
    questions, ideas, gradings (some failed or flaky) and problem reports."""
    world.rounds += 1
    now = timezone.now()
    coding, testing = Skill.objects.get(slug="coding"), Skill.objects.get(slug="testing")
    attempts = world.engineer.lab_submissions.count()
    version = world.lab.current_version
    for i in range(count):
        n = f"{world.rounds}-{i}"
        report = PersonFactory(team=world.manager.team, manager=world.manager)
        make_expert(report, "testing", 2, reviewer=world.manager)
        mentee = PersonFactory(team=world.manager.team, manager=world.manager)
        mentorship = active_mentorship(world.mentor, mentee)
        past = Session.objects.create(mentorship=mentorship, date=TODAY() - timedelta(days=3))
        Session.objects.create(mentorship=mentorship, date=TODAY() + timedelta(days=9))
        ActionItem.objects.create(mentorship=mentorship, session=past, text=f"Read {n}")
        Submission.objects.create(
            lab=world.lab,
            version=version,
            person=mentee,
            attempt=1,
            answers={},
            status=SubmissionStatus.NEEDS_REVIEW,
            score=4,
            max_score=4,
            graded_at=now - timedelta(hours=i + 1),
        )
        FeedbackNote.objects.create(
            author=world.mentor,
            recipient=world.engineer,
            category="coding",
            kind="praise",
            body=f"Note {n} for the engineer.",
            visibility=FeedbackVisibility.PRIVATE,
        )
        FeedbackNote.objects.create(
            author=world.manager,
            recipient=report,
            category="coding",
            kind="constructive",
            body=f"Private words {n} about a report.",
            visibility=FeedbackVisibility.PRIVATE,
            created_at=now - timedelta(days=100),
        )
        LearningEntry.objects.create(
            person=world.engineer, date=TODAY(), minutes=5, what=f"Reading {n}", skill=testing
        )
        LearningEntry.objects.create(person=report, date=TODAY(), minutes=30, what=f"Lab {n}")
        attempts += 1
        submission = Submission.objects.create(
            lab=world.lab,
            version=version,
            person=world.engineer,
            attempt=attempts,
            answers={"mean_of": {"cell_type": "code", "source": f"# {n}"}},
            status=SubmissionStatus.GRADED,
            score=1,
            max_score=4,
            graded_at=now,
        )
        for passed in (True, False):  # identical code, graded twice, disagreeing: flaky
            GradingRun.objects.create(
                submission=submission,
                version=version,
                status=SubmissionStatus.GRADED,
                score=1,
                max_score=4,
                results=[{"id": "test_scale", "title": "scale maps to [0, 1]", "passed": passed}],
            )
        GradingRun.objects.create(
            submission=submission, version=version, status=SubmissionStatus.FAILED
        )
        for skill in (testing, coding):
            question = Question.objects.create(author=report, title=f"About {skill.slug} {n}?")
            question.skills.set([skill])
        idea = Idea.objects.create(title=f"Idea {n}", problem="A problem.", proposer=world.engineer)
        Vote.objects.create(idea=idea, person=report)
        LabProblemReport.objects.create(
            lab=world.lab, version=version, person=report, text=f"Problem {n}"
        )
    Submission.objects.create(
        lab=world.lab,
        version=version,
        person=world.other,
        attempt=world.rounds,
        answers={},
    )  # queued
    WorkerHeartbeat.objects.update_or_create(hostname="worker-1", defaults={"seen_at": now})


@pytest.fixture
def world(db):
    return World()


def home_of(client, person) -> str:
    client.force_login(person.user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def panel(page: str, key: str) -> str:
    """The HTML of one panel of the home page ('' when it is not shown)."""
    found = re.search(
        rf'<section class="card home-panel"[^>]*data-panel="{re.escape(key)}".*?</section>',
        page,
        re.S,
    )
    return found.group(0) if found else ""


def words(html: str) -> str:
    """The text of some HTML, with its whitespace squeezed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- Bounded queries (acceptance 3) ----------------------------------------------------------


@pytest.mark.parametrize("role", ["engineer", "mentor", "manager", "staff"])
def test_each_home_runs_the_same_queries_with_ten_times_the_data(client, world, role):
    add_activity(world, 3)
    client.force_login(getattr(world, role).user)
    small = queries(client, "/")

    add_activity(world, 27)  # 30 reports, mentees, submissions, notes… instead of 3
    large = queries(client, "/")

    assert small == large


def test_a_home_renders_in_a_bounded_number_of_queries(client, world):
    add_activity(world, 3)
    client.force_login(world.manager.user)  # an engineer, a reviewer and a manager at once

    assert queries(client, "/") < 100


# --- Sections per role -------------------------------------------------------------------------

SECTIONS = {
    "engineer": ["Your growth"],
    "mentor": ["Your growth", "Helping others grow"],
    "manager": ["Your growth", "Helping others grow", "Your team"],
    "staff": ["Your growth", "Helping others grow", "Running Cultivate"],
}


@pytest.mark.parametrize("role", list(SECTIONS))
def test_each_role_sees_the_sections_of_its_roles_and_no_other(client, world, role):
    add_activity(world, 1)

    page = home_of(client, getattr(world, role))

    shown = re.findall(r'<h2 class="home-section__title"[^>]*>([^<]+)</h2>', page)
    assert shown == SECTIONS[role]


def test_someone_with_no_relationships_sees_only_their_own_growth(client, world):
    page = home_of(client, world.other)

    assert "Your growth" in page
    for heading in ("Helping others grow", "Your team", "Running Cultivate"):
        assert heading not in page
    assert "You have no mentor yet" in words(panel(page, "mentoring.overview"))


# --- The engineer's questions ---------------------------------------------------------------


def test_the_engineer_reads_their_gaps_with_what_closes_them(client, world):
    page = home_of(client, world.engineer)

    skills = panel(page, "core.skills")
    assert 'role="img"' in skills and "Skill radar of Eli Engineer" in skills
    assert "Skill matrix" in skills  # the radar's table equivalent
    gaps = words(skills)
    assert "Testing level 1 (learning), target 2: 1 level to go" in gaps
    assert "Take the lab “Summary statistics (reference lab)”, which trains Testing" in gaps
    assert "Ask someone strong in Coding" in gaps
    assert "Mentoring from Mona Mentor, who offers Coding" in gaps
    assert gaps.count("level to go") + gaps.count("levels to go") == 3


def test_the_engineer_sees_their_mentor_and_the_next_session(client, world):
    page = home_of(client, world.engineer)

    mentoring = words(panel(page, "mentoring.overview"))
    upcoming = TODAY() + timedelta(days=4)
    assert f"Mona Mentor Next session {upcoming:%a} {upcoming.day} {upcoming:%b}" in mentoring
    last = TODAY() - timedelta(days=6)
    assert f"last {last.day} {last:%b}" in mentoring
    # A mentee may not open their mentor's page: the name is not a link that would answer 404.
    assert f'href="{world.mentor.get_absolute_url()}"' not in panel(page, "mentoring.overview")


def test_a_mentorship_without_a_planned_session_says_when_one_is_due(client, world):
    Session.objects.filter(mentorship=world.mentorship, date__gt=TODAY()).delete()
    Session.objects.filter(mentorship=world.mentorship).update(date=TODAY() - timedelta(days=20))

    mentoring = words(panel(home_of(client, world.engineer), "mentoring.overview"))

    due = TODAY() + timedelta(days=14 - 20)
    assert f"No session planned; one was due by {due.day} {due:%b} (fortnightly)" in mentoring


def test_the_engineer_reads_recent_feedback_unread_marked_and_never_a_note_for_managers(
    client, world
):
    add_activity(world, 2)
    FeedbackNote.objects.filter(body="Note 1-0 for the engineer.").update(
        acknowledged_at=timezone.now()
    )
    FeedbackNote.objects.create(
        author=world.manager,
        recipient=world.engineer,
        category="prioritisation",
        kind="constructive",
        body="Words for the managers' eyes only.",
        visibility=FeedbackVisibility.MANAGERS_ONLY,
    )

    page = home_of(client, world.engineer)

    feedback = panel(page, "mentoring.feedback")
    assert "1 unread of 2 feedback notes for you." in words(feedback)
    assert words(feedback).count("Unread") == 1
    assert "Note 1-1 for the engineer." in feedback and "Note 1-0 for the engineer." in feedback
    assert "managers' eyes only" not in page and "Words for the managers" not in page


def test_the_engineer_sees_labs_in_progress_learning_time_questions_and_hackathons(client, world):
    add_activity(world, 2)

    page = home_of(client, world.engineer)

    labs = words(panel(page, "labs.recent"))
    assert "0 of 1 released lab passed, 1 in progress." in labs
    assert "Not passed yet · best 1 of 4 points (25%), 100% passes · 2 attempts" in labs
    learning = words(panel(page, "mentoring.learning"))
    assert "10 of 240 minutes this week (4% of the goal): 230 to go." in learning
    questions = words(panel(page, "mentoring.questions"))
    assert "2 open questions in the skills you are building." in questions
    assert "About testing 1-0?" in questions and "About coding" not in questions
    hackathons = words(panel(page, "hackathons.overview"))
    assert "Spring hack Building" in hackathons and "your team: Label queue" in hackathons
    assert "Idea 1-1 1 vote · in the backlog" in hackathons


def test_an_anonymous_question_names_nobody_on_a_home(client, world):
    make_expert(world.engineer, "coding", 3, reviewer=world.manager)
    asker = PersonFactory(user__first_name="Secret", user__last_name="Asker")
    question = Question.objects.create(author=asker, anonymous=True, title="A shy question?")
    question.skills.set([Skill.objects.get(slug="coding")])

    page = home_of(client, world.mentor)

    answerable = words(panel(page, "mentoring.answerable"))
    assert "A shy question? Asked anonymously" in answerable
    assert "Secret" not in page


# --- The mentor's questions -------------------------------------------------------------------


def test_the_mentor_sees_each_mentee_with_gaps_sessions_and_action_items(client, world):
    add_activity(world, 2)
    ActionItem.objects.create(
        mentorship=world.mentorship,
        session=world.mentorship.sessions.earliest("date"),
        text="Write the tests first",
    )

    page = home_of(client, world.mentor)

    mentees = panel(page, "mentoring.mentees")
    text = words(mentees)
    assert "3 active mentees, 3 open action items between you." in text
    assert f'href="{world.engineer.get_absolute_url()}"' in mentees
    upcoming = TODAY() + timedelta(days=4)
    assert "Eli Engineer Biggest gaps: Coding (2 below), Testing (1 below)" in text
    assert f"next {upcoming:%a} {upcoming.day} {upcoming:%b} · 1 open action item" in text


def test_the_mentor_sees_the_grades_waiting_for_their_sign_off_and_questions_to_answer(
    client, world
):
    add_activity(world, 2)
    Submission.objects.filter(status=SubmissionStatus.NEEDS_REVIEW).update(graded_at=None)
    stranger = PersonFactory()  # nobody the mentor reviews
    Submission.objects.create(
        lab=world.lab,
        version=world.lab.current_version,
        person=stranger,
        attempt=1,
        answers={},
        status=SubmissionStatus.NEEDS_REVIEW,
    )

    page = home_of(client, world.mentor)

    signoff = panel(page, "labs.signoff")
    assert "2 lab grades wait for your sign-off before they count." in words(signoff)
    assert stranger.display_name not in signoff
    mentee = Submission.objects.filter(
        person__mentorships_as_mentee__mentor=world.mentor, status=SubmissionStatus.NEEDS_REVIEW
    ).first()
    assert f"/labs/submissions/{mentee.pk}/review/" in signoff
    answerable = words(panel(page, "mentoring.answerable"))
    assert "2 open questions in your expert skills, 2 without any answer." in answerable
    assert "About coding 1-0?" in answerable and "About testing" not in answerable


def test_someone_who_reviews_nobody_has_no_sign_off_panel(client, world):
    page = home_of(client, world.other)

    assert panel(page, "labs.signoff") == ""
    assert panel(page, "mentoring.mentees") == ""


# --- The manager's questions ------------------------------------------------------------------


def test_the_manager_sees_the_team_at_a_glance(client, world):
    add_activity(world, 2)

    page = home_of(client, world.manager)

    team = words(panel(page, "core.team-skills"))
    assert "0 of 6 people who report to you meet every target of their career stage." in team
    assert "4 of 6 have been assessed by a reviewer" in team
    assert "DevOps / CI-CD 6 of 6 below target" in team
    assert "Eli Engineer 16 of 17 skills below target" in team
    reports = panel(page, "core.reports")
    assert f'href="{world.engineer.get_absolute_url()}"' in reports


def test_the_manager_sees_who_lacks_feedback_mentoring_or_a_mentor(client, world):
    add_activity(world, 2)

    page = home_of(client, world.manager)

    care = panel(page, "mentoring.team-care")
    text = words(care)
    assert "No feedback for 30 days 5 of 6:" in text  # the engineer had some this week
    assert "(100 days)" in text and "(never)" in text
    no_mentor = world.manager.reports.filter(
        career_stage=CareerStage.EARLY_CAREER, mentorships_as_mentee__isnull=True
    )
    assert len(no_mentor) == 2
    assert "Early-career engineers without a mentor 2 of 5:" in text
    for person in no_mentor:
        assert f"/mentoring/match/?mentee={person.pk}" in care
    assert "Private words" not in page  # when, never what


def test_the_manager_sees_learning_time_and_lab_completion(client, world):
    add_activity(world, 2)
    report = world.manager.reports.filter(mentorships_as_mentee__isnull=True).first()
    Submission.objects.create(
        lab=world.lab,
        version=world.lab.current_version,
        person=report,
        attempt=1,
        answers={},
        status=SubmissionStatus.GRADED,
        score=4,
        max_score=4,
        graded_at=timezone.now(),
    )

    page = home_of(client, world.manager)

    learning = words(panel(page, "mentoring.team-learning"))
    assert "0 of 6 people met the goal of 240 minutes this week" in learning
    assert "The team logged 70 of 1,440 minutes this week" in learning
    labs = words(panel(page, "curriculum.team-labs"))
    assert "1 of 6 people have passed at least one of the 1 released labs." in labs
    assert "1 pass in all, of 6 possible (1 lab × 6 people): 17%." in labs


def test_the_manager_sees_the_last_quarters_as_a_chart_and_a_table(client, world):
    add_activity(world, 2)

    page = home_of(client, world.manager)

    trends = panel(page, "mentoring.team-trends")
    assert 'role="img"' in trends and "<table" in trends
    rows = re.findall(r"<tr>\s*<th scope=\"row\">([^<]+)</th>(.*?)</tr>", trends, re.S)
    assert len(rows) == 4
    this_quarter = f"Q{(TODAY().month - 1) // 3 + 1} {TODAY().year}"
    assert rows[-1][0] == this_quarter
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", rows[-1][1])
    assert cells[0] == "2.0"  # levels 3 (mentor), 1 (engineer), 2 and 2 (two reports)
    assert cells[2] == "2"  # this quarter's notes to the team: the engineer's two


# --- Staff's questions --------------------------------------------------------------------------


def test_staff_see_grading_health_labs_needing_attention_and_the_backlog(client, world):
    add_activity(world, 2)

    page = home_of(client, world.staff)

    health = words(panel(page, "labs.health"))
    assert "1 submission queued" in health and "0 running now" in health
    assert "4 graded, 2 failed to grade (33.3%)" in health
    assert "worker-1" in health and "No worker" not in health
    attention = words(panel(page, "labs.attention"))
    assert "1 of 1 released labs need attention" in attention
    assert "2 of 6 gradings failed (33.3%)" in attention
    assert "Flaky: “scale maps to [0, 1]” passed and failed on identical code" in attention
    assert "2 open problem reports" in attention
    ideas = words(panel(page, "hackathons.staff"))
    assert "2 ideas not tied to an event; the most voted:" in ideas
    assert "Spring hack Building · 1 team, 1 idea" in ideas


def test_a_silent_worker_is_a_warning_on_the_staff_home(client, world):
    WorkerHeartbeat.objects.create(hostname="old", seen_at=timezone.now() - timedelta(hours=2))

    health = words(panel(home_of(client, world.staff), "labs.health"))

    assert "No worker seen for 2 hours" in health


def test_engineers_and_managers_get_no_operator_panels(client, world):
    add_activity(world, 1)

    for person in (world.engineer, world.manager):
        page = home_of(client, person)
        for key in ("labs.health", "labs.attention", "hackathons.staff"):
            assert panel(page, key) == ""


def test_the_trend_counts_calendar_quarters_back_across_a_new_year():
    from mentoring.selectors import last_quarters

    quarters = last_quarters(today=datetime.date(2026, 2, 10))

    assert [q.label for q in quarters] == ["Q2 2025", "Q3 2025", "Q4 2025", "Q1 2026"]
    assert (quarters[2].start, quarters[2].end) == (
        datetime.date(2025, 10, 1),
        datetime.date(2025, 12, 31),
    )


def test_an_account_without_a_profile_gets_a_home_that_says_so(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())

    page = client.get("/").content.decode()

    assert "Your account is not linked to a profile in the organisation yet." in page
