"""A notebook as sanitised HTML: nbconvert's exporter with the app's markdown allowlist.

nbconvert's own `sanitize_html` switch escapes headings and paragraphs, which makes a notebook
unreadable; its SanitizeHTML preprocessor with the allowlist of `core.markdown` keeps them and
nothing more dangerous (no scripts, event handlers, frames or styles). Serve the result from a
view with a sandboxing Content-Security-Policy (see `NOTEBOOK_CSP`) all the same.
"""

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors.sanitize import SanitizeHTML

from core.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

# A sandboxed document: no script, no form, no network; it cannot touch the app's origin.
NOTEBOOK_CSP = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "font-src data:; frame-ancestors 'self'"
)


def notebook_exporter() -> HTMLExporter:
    exporter = HTMLExporter(template_name="classic", exclude_input_prompt=True)
    exporter.register_preprocessor(
        SanitizeHTML(
            tags=sorted(ALLOWED_TAGS | {"div", "span", "img"}),
            attributes={**ALLOWED_ATTRIBUTES, "img": ["src", "alt"], "*": ["class"]},
            strip=True,
        ),
        enabled=True,
    )
    return exporter


def notebook_html(notebook: nbformat.NotebookNode) -> str:
    """The whole notebook (code, markdown, outputs) as one sanitised HTML document."""
    return notebook_exporter().from_notebook_node(notebook)[0]
