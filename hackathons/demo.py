"""Demo hackathon data: a finished event with published results, a running event in its
building phase, and an idea backlog in which two ideas are near-duplicates. Idempotent: an
event is only made when its slug is missing, an idea when its title is."""

import datetime

import nbformat
from django.core.files.base import ContentFile
from django.utils import timezone

from core.models import Person
from core.notebooks import notebook_html
from core.skills.models import Skill
from hackathons import services
from hackathons.models import (
    Attachment,
    Criterion,
    Event,
    Idea,
    Membership,
    Score,
    Submission,
    Team,
)

DAY = datetime.timedelta(days=1)

BACKLOG = [
    ("priya", "Alert on data drift every night",
     "Training and serving data drift apart and nobody notices until the metrics drop.",
     "Compute PSI per feature nightly and post to the team channel above 0.2.",
     ["data-management", "telemetry"]),
    ("grace", "Nightly feature drift alerts",
     "Feature distributions drift between training and serving without anyone noticing.",
     "A nightly PSI check per feature that alerts the channel.",
     ["data-management"]),
    ("hana", "Thumbs up and down on assistant answers",
     "We never hear what users think of the assistant's answers.",
     "A feedback widget storing ratings with the answer and the prompt version.",
     ["user-feedback-loops", "human-in-the-loop"]),
    ("yusuf", "Scan new tables for personal data",
     "E-mails and phone numbers leak into training sets.",
     "Run a detector on every new table and block the pipeline on a hit.",
     ["privacy-security"]),
]  # fmt: skip

# team name, lead, members, idea title, problem, skills, title, summary, scores per judge
FINISHED_TEAMS = [
    ("Prompt CI", "sofia", ["ben", "diego"], "Prompt regression tests in CI",
     "Prompt edits silently break answers.", ["evaluation", "model-prompt-management"],
     "Prompt CI", "Every prompt change runs a fixed evaluation set; the build fails when the "
     "score drops. Caught two regressions in its first week.",
     {"tomas": (5, 4, 4), "ines": (4, 4, 5), "noah": (2, 2, 3)}),
    ("Retrain on drift", "lars", ["lea", "omar"], "Retrain when the data drifts",
     "Models go stale between quarterly retrains.", ["training-pipelines", "telemetry"],
     "Retrain on drift", "A drift monitor triggers the training pipeline and a **shadow** "
     "evaluation before promotion.",
     {"tomas": (4, 5, 4), "ines": (4, 3, 4), "noah": (1, 2, 2)}),
    ("Label queue", "amara", ["grace"], "Active learning for annotators",
     "Annotators label random samples.", ["human-in-the-loop"],
     "Label queue", "Sends the examples the model is least sure about to annotation first.",
     {"tomas": (3, 3, 3), "ines": (3, 4, 3), "noah": (2, 1, 1)}),
]  # fmt: skip


def seed_hackathons(*, stdout=None) -> None:
    people = {p.user.username: p for p in Person.objects.select_related("user")}
    if "maya" not in people:
        return
    _seed_backlog(people)
    _seed_finished(people)
    _seed_running(people)
    if stdout:
        stdout.write("Hackathons: a finished event, a running event and an idea backlog.")


def _skills(slugs):
    return list(Skill.objects.filter(slug__in=slugs))


def _seed_backlog(people) -> None:
    for username, title, problem, approach, skills in BACKLOG:
        if Idea.objects.filter(title=title).exists():
            continue
        idea = services.idea_create(
            proposer=people[username],
            title=title,
            problem=problem,
            approach=approach,
            skills=_skills(skills),
        )
        for voter in ("tomas", "sofia", "ben")[: len(title) % 3 + 1]:
            services.idea_vote(idea=idea, person=people[voter])


def _event(slug, title, theme, start, people) -> Event:
    event = Event.objects.create(
        slug=slug,
        title=title,
        theme=theme,
        description=f"**{theme}.** Two days to build something that helps ML engineers here.",
        max_team_size=4,
        ideas_open_at=start,
        teams_open_at=start + 7 * DAY,
        building_starts_at=start + 14 * DAY,
        submission_deadline=start + 16 * DAY,
    )
    event.organisers.set([people["maya"]])
    event.judges.set([people["tomas"], people["ines"], people["noah"]])
    for position, (name, weight) in enumerate([("Impact", 2), ("Craft", 1), ("Teamwork", 1)]):
        Criterion.objects.create(event=event, name=name, weight=weight, position=position)
    return event


def _team(event, people, name, lead, members, idea_title, problem, skills) -> Team:
    idea = Idea.objects.create(
        title=idea_title, problem=problem, proposer=people[lead], event=event
    )
    idea.skills.set(_skills(skills))
    team = Team.objects.create(event=event, idea=idea, lead=people[lead], name=name)
    for username in [lead, *members]:
        Membership.objects.create(team=team, event=event, person=people[username])
    return team


def _seed_finished(people) -> None:
    if Event.objects.filter(slug="winter-2025").exists():
        return
    start = timezone.now() - 90 * DAY
    event = _event("winter-2025", "Winter hack 2025", "Closing the loop", start, people)
    award = event.awards.create(name="Best use of telemetry")
    criteria = list(event.criteria.all())
    for name, lead, members, idea, problem, skills, title, summary, scores in FINISHED_TEAMS:
        team = _team(event, people, name, lead, members, idea, problem, skills)
        submission = Submission.objects.create(
            team=team,
            title=title,
            summary=summary,
            repository_url=f"https://git.example.com/hack/{team.name.lower().replace(' ', '-')}",
            submitted_at=event.submission_deadline - DAY,
        )
        submission.skills.set(team.idea.skills.all())
        for judge, values in scores.items():
            for criterion, value in zip(criteria, values, strict=True):
                Score.objects.create(
                    submission=submission, judge=people[judge], criterion=criterion, value=value
                )
        if name == "Retrain on drift":
            award.submission = submission
            award.save()
            _attach_notebook(submission, people[lead])
    services.results_publish(event=event, by=people["maya"])


def _attach_notebook(submission, person) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Retrain on drift\nPSI per feature, last 7 days."),
        nbformat.v4.new_code_cell(
            "psi = {'age': 0.04, 'basket_size': 0.27}\n"
            "[name for name, value in psi.items() if value > 0.2]",
            outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "['basket_size']"},
                                            execution_count=1)],
        ),
    ]  # fmt: skip
    attachment = Attachment(
        submission=submission,
        name="drift-retrain.ipynb",
        content_type="application/x-ipynb+json",
        size=0,
        notebook_html=notebook_html(notebook),
        uploaded_by=person,
    )
    content = nbformat.writes(notebook).encode()
    attachment.size = len(content)
    attachment.file.save(attachment.name, ContentFile(content), save=True)


def _seed_running(people) -> None:
    if Event.objects.filter(slug="spring-2026").exists():
        return
    start = timezone.now() - 15 * DAY  # building: the deadline is a day away
    event = _event("spring-2026", "Spring hack 2026", "Evaluation everywhere", start, people)
    event.awards.create(name="Best evaluation idea")
    team = _team(event, people, "LLM judges", "priya", ["hana", "yusuf"],
                 "Judge LLM answers with rubrics", "Our LLM features ship without evaluation.",
                 ["evaluation", "human-in-the-loop", "privacy-security"])  # fmt: skip
    Submission.objects.create(
        team=team, title="LLM judges", summary="Draft: rubric-based grading of answers."
    )
    _team(event, people, "Lineage map", "diego", [], "Show data lineage for every model",
          "Nobody can say which tables a model learned from.", ["data-management"])  # fmt: skip
