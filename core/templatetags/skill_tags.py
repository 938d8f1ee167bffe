"""Small display helpers for the skill pages: level names, signed numbers, sparklines."""

from django import template

from core.skills import charts
from core.skills.models import Level

register = template.Library()


@register.filter
def level_name(level: int | None) -> str:
    return "" if level is None else Level(level).label


@register.filter
def signed(number: int | None) -> str:
    """+1, −2, 0: how far apart two levels are (a real minus sign, for screen readers too)."""
    if number is None:
        return ""
    if number > 0:
        return f"+{number}"
    return f"−{-number}" if number < 0 else "0"


@register.filter
def sparkline(levels: list[int]) -> str:
    return charts.sparkline(levels)


@register.filter
def absolute(number: int | None) -> int | None:
    return None if number is None else abs(number)
