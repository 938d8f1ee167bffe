import html
import re

from django import template
from django.utils.html import format_html, strip_tags
from django.utils.text import Truncator

from core.markdown import render_markdown
from core.selectors import PersonPages, person_pages_open_to

register = template.Library()

EXCERPT_LENGTH = 160


@register.filter(name="markdown")
def markdown_filter(text: str | None):
    return render_markdown(text)


@register.filter(name="excerpt")
def excerpt_filter(text: str | None, length: int = EXCERPT_LENGTH) -> str:
    """The start of a markdown text as plain text (escaped like any other string on output):
    what a list shows of a note before you open it."""
    if not text:
        return ""
    plain = html.unescape(strip_tags(render_markdown(text)))
    return Truncator(re.sub(r"\s+", " ", plain).strip()).chars(length)


@register.filter(name="number")
def number_filter(value) -> str:
    """A number as people write it: at most two decimals, none when whole (1.5, 2, 0.33)."""
    if value is None or value == "":
        return ""
    try:
        return f"{round(float(value), 2):g}"
    except (TypeError, ValueError):
        return str(value)


# The viewer's PersonPages, kept on the request: one query for all the names of a page.
_PAGES_ATTRIBUTE = "_cultivate_person_pages"


def _person_pages(context) -> PersonPages:
    request = context.get("request")
    if request is None or not hasattr(request, "user"):
        return PersonPages(everyone=False)
    pages = getattr(request, _PAGES_ATTRIBUTE, None)
    if pages is None:
        pages = person_pages_open_to(user=request.user)
        setattr(request, _PAGES_ATTRIBUTE, pages)
    return pages


@register.simple_tag(takes_context=True)
def person_link(context, person, text: str = "") -> str:
    """`{% person_link person %}`: the person's name (or `text`) as a link to their page when
    the viewer may open it, as plain text otherwise (a link must not lead to a 404)."""
    if person is None:
        return ""
    label = text or person.display_name
    if _person_pages(context).opens(person.pk):
        return format_html('<a href="{}">{}</a>', person.get_absolute_url(), label)
    return format_html("{}", label)
