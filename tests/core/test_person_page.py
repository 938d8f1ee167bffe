"""Issue 14, the person page: one place with a person's skills, mentors and mentees, the feedback
the viewer may read, learning time, labs, paths and hackathon projects, each linked, for those
who may see the person (404 for anyone else), in a number of queries that does not grow with
what the person has (acceptance 3). Also: names that link where the viewer may open the page,
and feedback lists that show more than titles."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.skills.models import AssessorRole, Skill
from curriculum.services import enrolment_create, paths_load
from labs.models import Submission, SubmissionStatus
from mentoring.models import Mentorship
from tests.factories import (
    AssessmentFactory,
    FeedbackNoteFactory,
    LearningEntryFactory,
    MentorshipFactory,
    PersonFactory,
    SessionFactory,
)
from tests.hackathons.helpers import make_event, make_submission, make_team
from tests.labs.test_results import make_lab

SMALL, LARGE = 1, 8


def page_of(client, viewer, person):
    client.force_login(viewer.user)
    return client.get(reverse("person-detail", kwargs={"pk": person.pk}))


def html_of(client, viewer, person) -> str:
    response = page_of(client, viewer, person)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, title: str) -> str:
    """The HTML of the section with this heading (up to the next section)."""
    match = re.search(
        rf'<section class="card" id="section-\d+"[^>]*>\s*<h2[^>]*>{re.escape(title)}</h2>'
        r"(.*?)</section>",
        html,
        re.S,
    )
    assert match, f"no section {title!r}"
    return match.group(1)


def link(url: str) -> str:
    return f'href="{url}"'


# --- What a person has: a little or a lot -----------------------------------------------------


@pytest.fixture
def paths(db):
    return {path.slug: path for path in paths_load()}


@pytest.fixture
def labs(db):
    return [make_lab(slug=f"lab-{i}", title=f"Lab number {i}") for i in range(LARGE)]


def give(person, n: int, *, mentor, labs, paths) -> None:
    """`n` of everything the person page shows: reviewer levels, mentors and mentees with
    sessions, feedback notes, learning time, lab attempts, paths, hackathon teams."""
    manager = person.manager
    for skill in Skill.objects.active()[:n]:
        AssessmentFactory(
            subject=person, skill=skill, assessor=manager, assessor_role=AssessorRole.MANAGER
        )
    mentorship = MentorshipFactory(mentor=mentor, mentee=person)
    for i in range(n):
        SessionFactory(mentorship=mentorship, date=timezone.localdate() - datetime.timedelta(i))
        if i:
            MentorshipFactory(mentee=person)
        MentorshipFactory(mentor=person, status=Mentorship.Status.PROPOSED)
        FeedbackNoteFactory(recipient=person, author=mentor, visibility="with_managers")
        LearningEntryFactory(person=person, date=timezone.localdate() - datetime.timedelta(i))
        for attempt in range(1, 3):
            Submission.objects.create(
                lab=labs[i], version=labs[i].current_version, person=person, attempt=attempt,
                answers={}, status=SubmissionStatus.GRADED, score=attempt * 2, max_score=4,
            )  # fmt: skip
        event = make_event(slug=f"hack-{person.pk}-{i}")
        make_submission(make_team(event, PersonFactory(), person, name=f"Team {i}"))
    for path in list(paths.values())[:n]:
        enrolment_create(person=person, path=path, enrolled_by=manager)


@pytest.fixture
def filled(org, labs, paths):
    """The engineer has one of everything, the peer eight; the outsider mentors both."""
    for person, n in ((org.engineer, SMALL), (org.peer, LARGE)):
        give(person, n, mentor=org.outsider, labs=labs, paths=paths)
    return org


def queries_for(client, viewer, person) -> int:
    page_of(client, viewer, person)  # signed in, caches warm, as on any page after the first
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("person-detail", kwargs={"pk": person.pk}))
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("viewer", ["manager", "director", "outsider", "staff"])
def test_the_page_costs_the_same_queries_with_a_little_or_a_lot(client, filled, viewer):
    """A manager, a manager further up, a mentor and staff open the page of someone with one
    of everything and of someone with eight: the same number of queries."""
    someone = getattr(filled, viewer)

    small = queries_for(client, someone, filled.engineer)
    large = queries_for(client, someone, filled.peer)

    assert small == large


def test_ones_own_page_costs_the_same_queries_with_a_little_or_a_lot(client, filled):
    assert queries_for(client, filled.engineer, filled.engineer) == queries_for(
        client, filled.peer, filled.peer
    )


# --- Each section shows and links -------------------------------------------------------------


def test_a_manager_finds_every_part_of_a_report_linked_from_their_page(client, filled):
    peer = filled.peer
    html = html_of(client, filled.manager, peer)

    skills = section(html, "Skills")
    assert f"{LARGE} of 17 skills assessed by a reviewer" in skills
    assert link(reverse("skills:person", args=[peer.pk])) in skills

    mentoring = section(html, "Mentors and mentees")
    mentorships = Mentorship.objects.filter(mentee=peer)
    assert all(link(m.get_absolute_url()) in mentoring for m in mentorships)
    assert "Last session" in mentoring and "next due by" in mentoring

    feedback = section(html, "Feedback")
    assert f"{LARGE} feedback notes for {peer.display_name} that you may read" in feedback
    assert "the latest 5" in feedback and "visible to recipient, author" in feedback
    assert link(reverse("mentoring:feedback")) in feedback

    learning = section(html, "Learning time")
    assert "This week" in learning and "This quarter" in learning
    assert link(reverse("mentoring:learning-team")) in learning

    labs = section(html, "Labs")
    assert f"{LARGE} of {LARGE} labs tried are passed." in labs
    latest = Submission.objects.filter(person=peer, attempt=2).first()
    assert link(reverse("labs:submission", args=[latest.pk])) in labs
    assert "100%" in labs  # the best of 50% and 100%
    assert link(reverse("labs:learner-gradebook", args=[peer.pk])) in labs

    paths = section(html, "Learning paths")
    assert "Foundations" in paths and link(reverse("curriculum:person", args=[peer.pk])) in paths

    hackathons = section(html, "Hackathons")
    team = peer.hackathon_memberships.first().team
    assert link(team.get_absolute_url()) in hackathons
    assert link(team.submission.get_absolute_url()) in hackathons


def test_a_newcomer_sees_in_words_that_there_is_nothing_yet(client, org):
    html = html_of(client, org.engineer, org.engineer)

    assert "Nobody has assessed your skills yet." in section(html, "Skills")
    assert "You have no mentor now." in section(html, "Mentors and mentees")
    assert "No feedback for you yet." in section(html, "Feedback")
    assert "You have not logged learning time this quarter." in section(html, "Learning time")
    assert "You have not submitted a lab yet." in section(html, "Labs")
    assert "You are not enrolled in a learning path yet." in section(html, "Learning paths")
    assert "You have not joined a hackathon team yet." in section(html, "Hackathons")


def test_the_page_lists_its_sections_for_the_keyboard(client, org):
    html = html_of(client, org.manager, org.engineer)

    assert '<nav class="page-contents" aria-label="On this page">' in html
    for number in range(1, 8):
        assert f'href="#section-{number}"' in html and f'id="section-{number}"' in html


# --- Nobody reads more than they may ------------------------------------------------------------


def test_outsiders_get_a_404(client, org):
    assert page_of(client, org.peer, org.engineer).status_code == 404
    assert page_of(client, org.outsider, org.engineer).status_code == 404


@pytest.fixture
def notes(org):
    """Three notes to the engineer, one of each visibility."""
    return {
        visibility: FeedbackNoteFactory(
            author=org.peer,
            recipient=org.engineer,
            visibility=visibility,
            body=f"A {visibility} note",
        )
        for visibility in ("private", "with_managers", "managers_only")
    }


def test_feedback_on_the_page_is_what_the_viewer_may_read(client, org, notes):
    MentorshipFactory(mentor=org.outsider, mentee=org.engineer)

    own = section(html_of(client, org.engineer, org.engineer), "Feedback")
    manager = section(html_of(client, org.manager, org.engineer), "Feedback")
    mentor = section(html_of(client, org.outsider, org.engineer), "Feedback")
    staff = section(html_of(client, org.staff, org.engineer), "Feedback")

    assert "A private" in own and "A with_managers" in own and "A managers_only" not in own
    assert "A with_managers" in manager and "A managers_only" in manager
    assert "A private" not in manager
    for text in (mentor, staff):  # staff are no exception
        assert "that you may read." in text and "A " not in text


def test_learning_time_is_for_the_person_and_their_managers_only(client, org):
    MentorshipFactory(mentor=org.outsider, mentee=org.engineer)
    LearningEntryFactory(person=org.engineer, minutes=90)

    assert "90 of 240 minutes" in section(
        html_of(client, org.engineer, org.engineer), "Learning time"
    )
    assert "90 of 240 minutes" in section(
        html_of(client, org.director, org.engineer), "Learning time"
    )
    for viewer in (org.outsider, org.staff):
        html = html_of(client, viewer, org.engineer)
        assert "Learning time" not in html and "90 of 240" not in html


def test_a_draft_project_shows_to_its_team_only(client, org):
    team = make_team(make_event(), org.peer, org.engineer, name="Drifters")
    make_submission(team, submitted=False, title="Half-built drift alarm")

    own = section(html_of(client, org.engineer, org.engineer), "Hackathons")
    manager = section(html_of(client, org.manager, org.engineer), "Hackathons")

    assert "Half-built drift alarm" in own and "(draft)" in own
    assert "Drifters" in manager and "Half-built drift alarm" not in manager
    assert "no project submitted yet" in manager


def test_a_mentor_sees_only_the_mentorships_they_may_see(client, org):
    ours = MentorshipFactory(mentor=org.outsider, mentee=org.engineer)
    other = MentorshipFactory(mentee=org.engineer)

    mentor = section(html_of(client, org.outsider, org.engineer), "Mentors and mentees")
    manager = section(html_of(client, org.manager, org.engineer), "Mentors and mentees")

    assert link(ours.get_absolute_url()) in mentor and link(other.get_absolute_url()) not in mentor
    assert link(ours.get_absolute_url()) in manager and link(other.get_absolute_url()) in manager


# --- Names link where the viewer may open the page -------------------------------------------


def test_a_name_links_only_where_the_viewer_may_open_the_page(client, org):
    team = org.engineer.team
    url = reverse("team-detail", kwargs={"slug": team.slug})

    client.force_login(org.engineer.user)
    engineer = client.get(url).content.decode()
    client.force_login(org.manager.user)
    manager = client.get(url).content.decode()

    engineer_link = f'<a href="{org.engineer.get_absolute_url()}">{org.engineer.display_name}</a>'
    peer_link = f'<a href="{org.peer.get_absolute_url()}">{org.peer.display_name}</a>'
    assert engineer_link in engineer and peer_link not in engineer
    assert org.peer.display_name in engineer
    assert engineer_link in manager and peer_link in manager


def test_all_the_names_of_a_page_cost_one_query(client, org):
    """The cadence page names everyone who reports to the manager, each a link."""

    def queries() -> tuple[int, str]:
        client.force_login(org.director.user)
        client.get(reverse("mentoring:cadence"))
        with CaptureQueriesContext(connection) as context:
            html = client.get(reverse("mentoring:cadence")).content.decode()
        return len(context.captured_queries), html

    few, _ = queries()
    for _ in range(6):
        PersonFactory(manager=org.manager)
    many, html = queries()

    assert few == many
    assert f'<a href="{org.peer.get_absolute_url()}">{org.peer.display_name}</a>' in html


def test_feedback_lists_show_the_start_of_the_note_escaped_with_who_when_and_for_whom(client, org):
    body = "**Great** <script>alert('x')</script> review.\n\n" + "More words. " * 30
    note = FeedbackNoteFactory(
        author=org.manager, recipient=org.engineer, body=body, visibility="with_managers"
    )
    client.force_login(org.engineer.user)

    html = client.get(reverse("mentoring:feedback")).content.decode()

    received = html.split('id="received"')[1].split("</section>")[0]
    excerpt = re.search(r'<p class="note-list__excerpt">(.*?)</p>', received, re.S).group(1)
    assert excerpt.startswith("Great review. More words.") and excerpt.endswith("…")
    assert len(excerpt) <= 160
    assert "<script" not in received and "<strong>" not in received
    # From the manager (whose page the engineer may not open: no link), when, for whom.
    assert f"From {org.manager.display_name} · " in received
    assert f'href="{org.manager.get_absolute_url()}"' not in received
    day = timezone.localtime(note.created_at).date().isoformat()
    assert f'<time datetime="{day}">' in received
    assert "visible to recipient, author and the recipient&#x27;s managers" in received
    assert f'href="{note.get_absolute_url()}"' in received
