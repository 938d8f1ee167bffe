"""Permission-matrix rows for the hackathon pages and API.

Three events: `live` is being judged (the organiser organises it, the judge judges it, results
not published), `past` has published results, `open` is forming teams (the organiser organises
it too). In `live`, the subject and the director submitted a project with a notebook, and the
teammate proposed a duplicate of their idea; in `open` the subject leads a team whose submission
is still a draft, and somebody from another branch asks to join it; the subject also has an
idea in the backlog. So: the judge alone sees the judging pages and scores (organisers and staff
don't judge); the organiser and staff see the progress and organise pages, change the event,
merge ideas and publish; staff alone create events; the subject alone edits their draft, invites
people to their team and answers who asks to join it; everything else about an event is open
to every member: proposing, voting, commenting, forming a team, asking to join one.

Refusals are 404s (nobody learns what they may not act on), except where the API says "you may
read this idea, but it is not yours to change" (403). A write the rules refuse to somebody who
may use the URL (a second team in one event) is a 400 in the API; the pages answer it with a
message on the page they send you back to (REDIRECT, as a success does).
"""

import nbformat
from django.core.files.base import ContentFile
from django.utils import timezone

from core.notebooks import notebook_html
from hackathons.models import Attachment, Idea
from tests.hackathons.helpers import HOUR, make_event, make_submission, make_team
from tests.url_matrix import REDIRECT, Case, api, only, signed_in

DATES = ("ideas_open_at", "teams_open_at", "building_starts_at", "submission_deadline")


def cast_of(org):
    if hasattr(org, "hack"):
        return org.hack
    live = make_event("judging", slug="live", organisers=[org.organiser], judges=[org.judge])
    past = make_event("judging", slug="past")
    forming = make_event("teams", slug="open", organisers=[org.organiser])
    idea = Idea.objects.create(title="Drift alerts", problem="Drift", proposer=org.peer, event=live)
    duplicate = Idea.objects.create(
        title="Drift alarms", problem="Drift, again", proposer=org.engineer, event=live
    )
    backlog = Idea.objects.create(
        title="Prompt registry", problem="Lost prompts", proposer=org.peer
    )
    submitted = make_submission(make_team(live, org.peer, org.director, idea=idea))
    draft = make_submission(make_team(forming, org.peer), submitted=False)
    join = draft.team.join_requests.create(
        person=org.other_report, kind="request", created_by=org.other_report
    )
    make_submission(make_team(past, org.director))
    past.results_published_at = timezone.now()
    past.save()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Hi")])
    attachment = Attachment(
        submission=submitted,
        name="drift.ipynb",
        content_type="application/x-ipynb+json",
        size=10,
        notebook_html=notebook_html(notebook),
    )
    attachment.file.save("drift.ipynb", ContentFile(nbformat.writes(notebook)), save=True)
    org.hack = type(
        "Hack",
        (),
        {"live": live, "past": past, "open": forming, "idea": idea, "duplicate": duplicate,
         "backlog": backlog, "submitted": submitted, "draft": draft, "join": join,
         "attachment": attachment, "award": past.awards.create(name="Best demo"),
         "live_award": live.awards.create(name="Best use of telemetry")},
    )  # fmt: skip
    return org.hack


LIVE = {"slug": lambda org: cast_of(org).live.slug}
PAST = {"slug": lambda org: cast_of(org).past.slug}
OPEN = {"slug": lambda org: cast_of(org).open.slug}
IDEA = {"pk": lambda org: cast_of(org).idea.pk}
DUPLICATE = {"pk": lambda org: cast_of(org).duplicate.pk}
BACKLOG = {"pk": lambda org: cast_of(org).backlog.pk}
TEAM = {"pk": lambda org: cast_of(org).submitted.team_id}
DRAFT_TEAM = {"pk": lambda org: cast_of(org).draft.team_id}
PROJECT = {"pk": lambda org: cast_of(org).submitted.pk}
DRAFT = {"pk": lambda org: cast_of(org).draft.pk}
ATTACHMENT = {"pk": lambda org: cast_of(org).attachment.pk}
SCORE = {**LIVE, "pk": lambda org: cast_of(org).submitted.pk}
AWARD = {**PAST, "pk": lambda org: cast_of(org).award.pk}
LIVE_AWARD = {**LIVE, "pk": lambda org: cast_of(org).live_award.pk}
JOIN = {"pk": lambda org: cast_of(org).join.pk}

JUDGE_PAGE = only("judge")
JUDGE_API = api(JUDGE_PAGE)
ORGANISER_PAGE = only("organiser", "staff")
ORGANISER_WRITE = only("organiser", "staff", outcome=REDIRECT)
ORGANISER_API = api(ORGANISER_PAGE)
STAFF_PAGE = only("staff")
OWN_DRAFT_PAGE = only("subject")
OWN_DRAFT_API = api(OWN_DRAFT_PAGE)
MEMBERS_API = signed_in(200, anonymous=401)
POST_ONLY_API = signed_in(405, anonymous=401)


# --- the bodies of the writes -----------------------------------------------------------------


def formset_post(prefix: str, rows: list[dict]) -> dict:
    """A formset as the browser posts it: the rows that exist (with `id`) first."""
    data = {
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": sum(1 for row in rows if "id" in row),
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def criteria_body(org) -> dict:
    """The live event's two criteria kept, a third added."""
    kept = [
        {"id": c.pk, "name": c.name, "description": c.description, "weight": c.weight,
         "position": c.position}
        for c in cast_of(org).live.criteria.all()
    ]  # fmt: skip
    return formset_post("criteria", [*kept, {"name": "Reach", "weight": 1, "position": 2}])


def awards_body(org) -> dict:
    """The live event's award kept, a second added."""
    award = cast_of(org).live_award
    return formset_post("awards", [{"id": award.pk, "name": award.name}, {"name": "Best demo"}])


def people_body(org) -> dict:
    """The organiser stays; the mentor joins the judges."""
    return {"organisers": [org.organiser.pk], "judges": [org.judge.pk, org.mentor.pk]}


def event_edit_body(org) -> dict:
    live = cast_of(org).live
    dates = {name: getattr(live, name).isoformat() for name in DATES}
    return {"title": "Live hack, judged", "theme": "Drift", "max_team_size": 4, **dates}


def new_event_body(org) -> dict:
    """An autumn event, a month away, organised by the organiser and judged by the judge."""
    start = timezone.now() + 30 * 24 * HOUR
    dates = {name: (start + i * 24 * HOUR).isoformat() for i, name in enumerate(DATES)}
    return {"slug": "autumn", "title": "Autumn hack", "max_team_size": 5, **dates,
            "organisers": [org.organiser.pk], "judges": [org.judge.pk]}  # fmt: skip


def new_event_api_body(org) -> dict:
    criteria = [{"name": "Impact", "weight": "2"}, {"name": "Craft", "weight": "1"}]
    return {**new_event_body(org), "criteria": criteria, "awards": ["Best demo"]}


def extend_body(org) -> dict:
    later = cast_of(org).live.effective_deadline + 24 * HOUR
    return {"new_deadline": later.isoformat(), "reason": "The build servers were down."}


def score_body(org) -> dict:
    """The judge's marks for the submitted project, one per criterion of the event."""
    body = {}
    for criterion in cast_of(org).live.criteria.all():
        body |= {f"value_{criterion.pk}": 4, f"comment_{criterion.pk}": "A clear demo."}
    return body


def score_api_body(org) -> dict:
    hack = cast_of(org)
    criterion = hack.live.criteria.first()
    return {"submission": hack.submitted.pk, "criterion": criterion.pk, "value": 4,
            "comment": "A clear demo."}  # fmt: skip


def new_team_body(org) -> dict:
    """A second team around the open event's idea (the subject is in a team there already)."""
    return {"idea": cast_of(org).draft.team.idea_id, "name": "Drift watchers"}


class Upload:
    """A Markdown file the test client can send to every person in turn: it reads a file to
    send it and never rewinds it, so this one gives its whole content at every read."""

    name = "notes.md"
    content_type = "text/markdown"

    def read(self, *_) -> bytes:
        return b"# How we built it\n\nA drift detector per feature.\n"


IDEA_BODY = {"title": "Eval harness for prompts", "problem": "No regression tests for prompts.",
             "approach": "Golden answers, scored by a judge model."}  # fmt: skip
COMMENT = {"body": "The drift detector of the labs could help."}
DRAFT_BODY = {"title": "Drift alerts, the project", "summary": "Alerts per feature.",
              "repository_url": "https://example.org/drift"}  # fmt: skip


def invite_body(org) -> dict:
    return {"person": org.outsider.pk, "message": "We need someone who knows Airflow."}


URLS: dict[str, Case | list[Case]] = {
    # --- pages ---------------------------------------------------------------------------
    "hackathons:index": Case(signed_in(200)),
    "hackathons:ideas": Case(signed_in(200)),
    "hackathons:idea-new": [
        Case(signed_in(200)),
        Case(signed_in(REDIRECT), method="post", data=IDEA_BODY),
    ],
    "hackathons:idea": [
        Case(signed_in(200), kwargs=IDEA),
        # A comment: every member may comment on every idea.
        Case(signed_in(REDIRECT), kwargs=IDEA, method="post", data=COMMENT),
    ],
    "hackathons:idea-vote": [
        Case(signed_in(405), kwargs=IDEA),
        Case(signed_in(REDIRECT), kwargs=IDEA, method="post"),
    ],
    "hackathons:idea-merge": [
        Case(signed_in(405), kwargs=IDEA),
        # The teammate's duplicate into the subject's idea: the event's organisers and staff.
        Case(
            ORGANISER_WRITE,
            kwargs=DUPLICATE,
            method="post",
            data=lambda org: {"into": cast_of(org).idea.pk},
        ),
    ],
    "hackathons:idea-move": [
        Case(signed_in(405), kwargs=IDEA),
        # The subject's backlog idea into the open event: its proposer, the event's organisers,
        # staff.
        Case(
            only("subject", "organiser", "staff", outcome=REDIRECT),
            kwargs=BACKLOG,
            method="post",
            data={"event": "open"},
        ),
    ],
    "hackathons:showcase": Case(signed_in(200)),
    "hackathons:event-new": [
        Case(STAFF_PAGE),
        Case(only("staff", outcome=REDIRECT), method="post", data=new_event_body),
    ],
    "hackathons:event": Case(signed_in(200), kwargs=LIVE),
    "hackathons:event-edit": [
        Case(ORGANISER_PAGE, kwargs=LIVE),
        Case(ORGANISER_WRITE, kwargs=LIVE, method="post", data=event_edit_body),
    ],
    "hackathons:event-organise": Case(ORGANISER_PAGE, kwargs=LIVE),
    "hackathons:event-people": Case(ORGANISER_WRITE, kwargs=LIVE, method="post", data=people_body),
    "hackathons:event-criteria": Case(
        ORGANISER_WRITE, kwargs=LIVE, method="post", data=criteria_body
    ),
    "hackathons:event-awards": Case(ORGANISER_WRITE, kwargs=LIVE, method="post", data=awards_body),
    "hackathons:event-extend": [
        Case(signed_in(405), kwargs=LIVE),
        Case(ORGANISER_WRITE, kwargs=LIVE, method="post", data=extend_body),
    ],
    # Forming a team is every member's; the subject, in a team of the event already, is sent
    # back to the event with the reason.
    "hackathons:team-create": [
        Case(signed_in(405), kwargs=LIVE),
        Case(signed_in(REDIRECT), kwargs=OPEN, method="post", data=new_team_body),
    ],
    "hackathons:judging": Case(JUDGE_PAGE, kwargs=LIVE),
    "hackathons:judge-score": [
        Case(JUDGE_PAGE, kwargs=SCORE),
        Case(only("judge", outcome=REDIRECT), kwargs=SCORE, method="post", data=score_body),
    ],
    "hackathons:progress": Case(ORGANISER_PAGE, kwargs=LIVE),
    "hackathons:publish": [
        Case(signed_in(405), kwargs=LIVE),
        Case(ORGANISER_WRITE, kwargs=LIVE, method="post"),
    ],
    "hackathons:award-give": [
        Case(signed_in(405), kwargs=AWARD),
        Case(
            ORGANISER_WRITE,
            kwargs=LIVE_AWARD,
            method="post",
            data=lambda org: {"submission": cast_of(org).submitted.pk},
        ),
    ],
    "hackathons:results": Case(signed_in(200), kwargs=PAST),
    "hackathons:team": Case(signed_in(200), kwargs=TEAM),
    # Asking to join is every member's (the subject, a member already, is told why not).
    "hackathons:team-join": [
        Case(signed_in(405), kwargs=TEAM),
        Case(
            signed_in(REDIRECT),
            kwargs=DRAFT_TEAM,
            method="post",
            data={"message": "I know Airflow."},
        ),
    ],
    "hackathons:team-invite": [
        Case(signed_in(405), kwargs=TEAM),
        Case(only("subject", outcome=REDIRECT), kwargs=DRAFT_TEAM, method="post", data=invite_body),
    ],
    "hackathons:submission-edit": [
        Case(OWN_DRAFT_PAGE, kwargs=DRAFT_TEAM),
        Case(only("subject", outcome=REDIRECT), kwargs=DRAFT_TEAM, method="post", data=DRAFT_BODY),
    ],
    "hackathons:join-answer": [
        Case(signed_in(405), kwargs=JOIN),
        Case(
            only("subject", outcome=REDIRECT), kwargs=JOIN, method="post", data={"answer": "accept"}
        ),
    ],
    "hackathons:submission": Case(signed_in(200), kwargs=PROJECT),
    "hackathons:attachment": Case(signed_in(200), kwargs=ATTACHMENT),
    "hackathons:attachment-notebook": Case(signed_in(200), kwargs=ATTACHMENT),
    # --- API -------------------------------------------------------------------------------
    "api:idea-list": [
        Case(MEMBERS_API),
        Case(
            signed_in(201, anonymous=401),
            method="post",
            json=True,
            data={**IDEA_BODY, "skills": [], "event": "open"},
        ),
    ],
    "api:idea-detail": [
        Case(MEMBERS_API, kwargs=IDEA),
        # Everyone reads the idea; its proposer, its event's organisers and staff change it.
        Case(
            api(only("subject", "organiser", "staff", refused=403)),
            kwargs=IDEA,
            method="patch",
            data={"title": "Drift alerts for every model"},
            json=True,
            idor=False,
        ),
    ],
    "api:idea-vote": [
        Case(POST_ONLY_API, kwargs=IDEA),
        Case(signed_in(200, anonymous=401), kwargs=IDEA, method="post"),
    ],
    "api:idea-merge": [
        Case(POST_ONLY_API, kwargs=IDEA),
        Case(
            ORGANISER_API,
            kwargs=DUPLICATE,
            method="post",
            json=True,
            data=lambda org: {"into": cast_of(org).idea.pk},
        ),
    ],
    "api:idea-similar": Case(MEMBERS_API, kwargs=IDEA),
    "api:idea-similar-draft": [
        Case(POST_ONLY_API),
        Case(
            MEMBERS_API,
            method="post",
            json=True,
            data={"title": "Drift", "problem": "Alerts when a feature drifts."},
        ),
    ],
    "api:idea-comments": [
        Case(MEMBERS_API, kwargs=IDEA),
        Case(signed_in(201, anonymous=401), kwargs=IDEA, method="post", data=COMMENT, json=True),
    ],
    "api:hackathon-list": [
        Case(MEMBERS_API),
        Case(api(only("staff", outcome=201)), method="post", data=new_event_api_body, json=True),
    ],
    "api:hackathon-detail": [
        Case(MEMBERS_API, kwargs=LIVE),
        Case(
            ORGANISER_API,
            kwargs=LIVE,
            method="patch",
            json=True,
            data={"title": "Live hack, judged", "max_team_size": 4},
        ),
    ],
    # Forming a team is every member's; the subject is in a team of the open event already.
    "api:hackathon-teams": [
        Case(MEMBERS_API, kwargs=LIVE),
        Case(
            {**signed_in(201, anonymous=401), "subject": 400},
            kwargs=OPEN,
            method="post",
            data=new_team_body,
            json=True,
        ),
    ],
    "api:hackathon-scores": [
        Case(JUDGE_API, kwargs=LIVE),
        Case(
            api(only("judge", outcome=201)),
            kwargs=LIVE,
            method="post",
            data=score_api_body,
            json=True,
        ),
    ],
    "api:hackathon-results": Case(MEMBERS_API, kwargs=PAST),
    "api:hackathon-publish": [
        Case(POST_ONLY_API, kwargs=LIVE),
        Case(ORGANISER_API, kwargs=LIVE, method="post"),
    ],
    "api:hackathon-extend": [
        Case(POST_ONLY_API, kwargs=LIVE),
        Case(ORGANISER_API, kwargs=LIVE, method="post", data=extend_body, json=True),
    ],
    "api:hackathon-team-detail": Case(MEMBERS_API, kwargs=TEAM),
    # Asking to join is every member's; the subject is a member already.
    "api:hackathon-team-join": [
        Case(POST_ONLY_API, kwargs=TEAM),
        Case(
            {**signed_in(201, anonymous=401), "subject": 400},
            kwargs=DRAFT_TEAM,
            method="post",
            data={"message": "I know Airflow."},
            json=True,
        ),
    ],
    "api:hackathon-team-invite": [
        Case(POST_ONLY_API, kwargs=TEAM),
        Case(
            api(only("subject", outcome=201)),
            kwargs=DRAFT_TEAM,
            method="post",
            data=invite_body,
            json=True,
        ),
    ],
    "api:hackathon-team-submission": [
        Case(OWN_DRAFT_API, kwargs=DRAFT_TEAM),
        Case(
            OWN_DRAFT_API,
            kwargs=DRAFT_TEAM,
            method="put",
            json=True,
            data={**DRAFT_BODY, "skills": [], "submit": False},
        ),
    ],
    "api:hackathon-team-attachments": [
        Case(POST_ONLY_API, kwargs=TEAM),
        # Multipart, as a browser or `curl -F` sends a file.
        Case(
            api(only("subject", outcome=201)),
            kwargs=DRAFT_TEAM,
            method="post",
            data=lambda org: {"file": Upload()},
        ),
    ],
    "api:hackathon-join-answer": [
        Case(POST_ONLY_API, kwargs=JOIN),
        Case(OWN_DRAFT_API, kwargs=JOIN, method="post", data={"accept": True}, json=True),
    ],
}

# Votes, memberships, join requests, attachments, scores and deadline changes are written by the
# app's services (with their rules), never typed into the admin.
ADMIN_FORBIDDEN_TO_STAFF = {
    f"admin:hackathons_{model}_add": 403
    for model in ("deadlineextension", "vote", "membership", "joinrequest", "attachment", "score")
}


# The burn-down of issue 15 (tests/test_permissions.py): methods these views accept that no
# row tries yet, and rows nobody gets through yet for want of a real body. Only ever shrinks.
NOT_YET_TRIED: dict[str, set[str]] = {}
NO_REAL_BODY_YET: set[str] = set()
