from django import template

from core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None):
    return render_markdown(text)


@register.filter(name="number")
def number_filter(value) -> str:
    """A number as people write it: at most two decimals, none when whole (1.5, 2, 0.33)."""
    if value is None or value == "":
        return ""
    try:
        return f"{round(float(value), 2):g}"
    except (TypeError, ValueError):
        return str(value)
