"""Permission-matrix rows for the hackathon pages and API.

Two events: `live` is being judged (the manager organises it, the engineer judges it, results
not published) and `past` has published results. In `live`, `peer` and `outsider` submitted a
project with a notebook; the engineer leads a team whose submission is still a draft. So: the
engineer alone sees the judging pages (the manager organises, staff administer: neither judges);
the organiser and staff see the progress and organise pages; staff alone create events; the
engineer alone sees and edits their draft; everything else about an event is open to every member.
"""

import nbformat
from django.core.files.base import ContentFile
from django.utils import timezone

from core.notebooks import notebook_html
from hackathons.models import Attachment, Idea
from tests.hackathons.helpers import make_event, make_submission, make_team
from tests.url_matrix import LOGIN, Case, signed_in


def cast_of(org):
    if hasattr(org, "hack"):
        return org.hack
    live = make_event("judging", slug="live", organisers=[org.manager], judges=[org.engineer])
    past = make_event("judging", slug="past")
    idea = Idea.objects.create(title="Drift alerts", problem="Drift", proposer=org.peer, event=live)
    submitted = make_submission(make_team(live, org.peer, org.outsider, idea=idea))
    draft = make_submission(make_team(live, org.engineer), submitted=False)
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
        {"live": live, "past": past, "idea": idea, "submitted": submitted, "draft": draft,
         "attachment": attachment, "award": past.awards.create(name="Best demo")},
    )  # fmt: skip
    return org.hack


LIVE = {"slug": lambda org: cast_of(org).live.slug}
PAST = {"slug": lambda org: cast_of(org).past.slug}
IDEA = {"pk": lambda org: cast_of(org).idea.pk}
TEAM = {"pk": lambda org: cast_of(org).submitted.team_id}
DRAFT_TEAM = {"pk": lambda org: cast_of(org).draft.team_id}
PROJECT = {"pk": lambda org: cast_of(org).submitted.pk}
DRAFT = {"pk": lambda org: cast_of(org).draft.pk}
ATTACHMENT = {"pk": lambda org: cast_of(org).attachment.pk}
SCORE = {**LIVE, "pk": lambda org: cast_of(org).submitted.pk}
AWARD = {**PAST, "pk": lambda org: cast_of(org).award.pk}
JOIN = {"pk": lambda org: cast_of(org).submitted.team.join_requests.create(
    person=org.engineer, kind="request", created_by=org.engineer).pk}  # fmt: skip

JUDGE_PAGE = {"anonymous": LOGIN, "engineer": 200, "manager": 404, "staff": 404}
JUDGE_API = {**JUDGE_PAGE, "anonymous": 401}
ORGANISER_PAGE = {"anonymous": LOGIN, "engineer": 404, "manager": 200, "staff": 200}
# An empty form posted to the organise page: refused (400) for the organiser and staff, nothing
# at all for the engineer, who judges the event without organising it.
ORGANISER_POST = {**ORGANISER_PAGE, "manager": 400, "staff": 400}
STAFF_PAGE = {"anonymous": LOGIN, "engineer": 404, "manager": 404, "staff": 200}
OWN_DRAFT_PAGE = {"anonymous": LOGIN, "engineer": 200, "manager": 404, "staff": 404}
OWN_DRAFT_API = {**OWN_DRAFT_PAGE, "anonymous": 401}
MEMBERS_API = signed_in(200, anonymous=401)
POST_ONLY_API = signed_in(405, anonymous=401)

URLS: dict[str, Case] = {
    # --- pages ---------------------------------------------------------------------------
    "hackathons:index": Case(signed_in(200)),
    "hackathons:ideas": Case(signed_in(200)),
    "hackathons:idea-new": Case(signed_in(200)),
    "hackathons:idea": Case(signed_in(200), kwargs=IDEA),
    "hackathons:idea-vote": Case(signed_in(405), kwargs=IDEA),
    "hackathons:idea-merge": Case(signed_in(405), kwargs=IDEA),
    "hackathons:idea-move": Case(signed_in(405), kwargs=IDEA),
    "hackathons:showcase": Case(signed_in(200)),
    "hackathons:event-new": Case(STAFF_PAGE),
    "hackathons:event": Case(signed_in(200), kwargs=LIVE),
    "hackathons:event-edit": Case(ORGANISER_PAGE, kwargs=LIVE),
    "hackathons:event-organise": Case(ORGANISER_PAGE, kwargs=LIVE),
    "hackathons:event-people": Case(ORGANISER_POST, kwargs=LIVE, method="post"),
    "hackathons:event-criteria": Case(ORGANISER_POST, kwargs=LIVE, method="post"),
    "hackathons:event-awards": Case(ORGANISER_POST, kwargs=LIVE, method="post"),
    "hackathons:event-extend": Case(signed_in(405), kwargs=LIVE),
    "hackathons:team-create": Case(signed_in(405), kwargs=LIVE),
    "hackathons:judging": Case(JUDGE_PAGE, kwargs=LIVE),
    "hackathons:judge-score": Case(JUDGE_PAGE, kwargs=SCORE),
    "hackathons:progress": Case(ORGANISER_PAGE, kwargs=LIVE),
    "hackathons:publish": Case(signed_in(405), kwargs=LIVE),
    "hackathons:award-give": Case(signed_in(405), kwargs=AWARD),
    "hackathons:results": Case(signed_in(200), kwargs=PAST),
    "hackathons:team": Case(signed_in(200), kwargs=TEAM),
    "hackathons:team-join": Case(signed_in(405), kwargs=TEAM),
    "hackathons:team-invite": Case(signed_in(405), kwargs=TEAM),
    "hackathons:submission-edit": Case(OWN_DRAFT_PAGE, kwargs=DRAFT_TEAM),
    "hackathons:join-answer": Case(signed_in(405), kwargs=JOIN),
    "hackathons:submission": Case(signed_in(200), kwargs=PROJECT),
    "hackathons:attachment": Case(signed_in(200), kwargs=ATTACHMENT),
    "hackathons:attachment-notebook": Case(signed_in(200), kwargs=ATTACHMENT),
    # --- API -------------------------------------------------------------------------------
    "api:idea-list": Case(MEMBERS_API),
    "api:idea-detail": Case(MEMBERS_API, kwargs=IDEA),
    "api:idea-vote": Case(POST_ONLY_API, kwargs=IDEA),
    "api:idea-merge": Case(POST_ONLY_API, kwargs=IDEA),
    "api:idea-similar": Case(MEMBERS_API, kwargs=IDEA),
    "api:idea-similar-draft": Case(POST_ONLY_API),
    "api:idea-comments": Case(MEMBERS_API, kwargs=IDEA),
    "api:hackathon-list": Case(MEMBERS_API),
    "api:hackathon-detail": Case(MEMBERS_API, kwargs=LIVE),
    "api:hackathon-teams": Case(MEMBERS_API, kwargs=LIVE),
    "api:hackathon-scores": Case(JUDGE_API, kwargs=LIVE),
    "api:hackathon-results": Case(MEMBERS_API, kwargs=PAST),
    "api:hackathon-publish": Case(POST_ONLY_API, kwargs=LIVE),
    "api:hackathon-extend": Case(POST_ONLY_API, kwargs=LIVE),
    "api:hackathon-team-detail": Case(MEMBERS_API, kwargs=TEAM),
    "api:hackathon-team-join": Case(POST_ONLY_API, kwargs=TEAM),
    "api:hackathon-team-invite": Case(POST_ONLY_API, kwargs=TEAM),
    "api:hackathon-team-submission": Case(OWN_DRAFT_API, kwargs=DRAFT_TEAM),
    "api:hackathon-team-attachments": Case(POST_ONLY_API, kwargs=TEAM),
    "api:hackathon-join-answer": Case(POST_ONLY_API, kwargs=JOIN),
}

# Votes, memberships, join requests, attachments, scores and deadline changes are written by the
# app's services (with their rules), never typed into the admin.
ADMIN_FORBIDDEN_TO_STAFF = {
    f"admin:hackathons_{model}_add": 403
    for model in ("deadlineextension", "vote", "membership", "joinrequest", "attachment", "score")
}
