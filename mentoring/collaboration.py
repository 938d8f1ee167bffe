"""Mentoring's links between teams (core.collaboration): mentoring pairs across teams, and
questions answered by someone of another team. Anonymous questions are left out: a count per
team could tell who asked."""

from datetime import date

from django.db.models import F

from core.collaboration import Link, LinkSource
from mentoring.models import Answer, Mentorship

STARTED = (Mentorship.Status.ACTIVE, Mentorship.Status.COMPLETED, Mentorship.Status.ENDED)


def mentoring_links(since: date) -> list[Link]:
    rows = (
        Mentorship.objects.filter(status__in=STARTED, start_date__gte=since)
        .exclude(mentor__team=F("mentee__team"))
        .values_list("mentor__team_id", "mentee__team_id", "start_date")
    )
    return [Link("mentoring", a, b, on) for a, b, on in rows if a and b]


def question_links(since: date) -> list[Link]:
    rows = (
        Answer.objects.filter(created_at__date__gte=since, question__anonymous=False)
        .exclude(author__team=F("question__author__team"))
        .values_list("author__team_id", "question__author__team_id", "created_at")
    )
    return [Link("questions", a, b, at.date()) for a, b, at in rows if a and b]


SOURCES = (
    LinkSource("mentoring", "mentoring pairs", mentoring_links),
    LinkSource("questions", "questions answered", question_links),
)
