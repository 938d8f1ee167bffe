"""The one way user-written text becomes HTML: markdown, then nh3 with an allowlist.

Everything a person types (notes, descriptions, answers, bios) is shown through
`render_markdown` or the `|markdown` template filter. Whatever markdown produces is cleaned by
nh3: only the tags, attributes and URL schemes below survive, so scripts, event handlers, frames,
styles and `javascript:` or `data:` URLs (entity-encoded or not) never reach the page.
"""

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "code": {"class"},
    "td": {"align"},
    "th": {"align"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["fenced_code", "tables", "sane_lists", "nl2br"]


def render_markdown(text: str | None) -> SafeString:
    if not text:
        return mark_safe("")  # noqa: S308 - empty
    html = markdown_lib.markdown(text, extensions=EXTENSIONS)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - nh3 output with a strict allowlist
