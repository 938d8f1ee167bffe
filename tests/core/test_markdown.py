import pytest
from django.template import Context, Template

from core.markdown import render_markdown

# Each payload is a way people have smuggled script into rendered markdown.
PAYLOADS = {
    "script tag": "<script>alert('x')</script>",
    "script in a paragraph": "Hello <script>document.cookie</script> world",
    "javascript link": "[click](javascript:alert(1))",
    "javascript link, entity-encoded": "[click](&#106;avascript:alert(1))",
    "javascript link, hex entities": "[click](&#x6A;&#x61;vascript:alert(1))",
    "javascript in raw anchor": '<a href="javascript:alert(1)">x</a>',
    "javascript, mixed case and tab": '<a href="JaVa\tScRiPt:alert(1)">x</a>',
    "onerror attribute": '<img src="x" onerror="alert(1)">',
    "onload attribute": '<body onload="alert(1)">text</body>',
    "svg onload": '<svg onload="alert(1)"></svg>',
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "style attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "style tag": "<style>body{display:none}</style>",
    "data url link": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "data url image": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "object embed": '<object data="x.swf"></object><embed src="x.swf">',
    "form": '<form action="https://evil.example"><input name="a"></form>',
}


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_dangerous_markup_renders_harmless(payload):
    html = str(render_markdown(payload)).lower()

    for forbidden in (
        "<script", "javascript:", "onerror", "onload", "<iframe", "style=", "<style",
        "data:", "<svg", "<object", "<embed", "<form", "<input", "<img",
    ):  # fmt: skip
        assert forbidden not in html, f"{forbidden!r} survived in {html!r}"


def test_ordinary_markdown_still_works():
    html = str(
        render_markdown(
            "# Drift\n\nSee **PSI** and `ks_2samp`, [docs](https://example.com/drift).\n\n"
            "| metric | value |\n|---|---|\n| psi | 0.2 |\n\n```python\nx = 1 < 2\n```"
        )
    )

    assert "<h1>Drift</h1>" in html
    assert "<strong>PSI</strong>" in html
    assert "<code>ks_2samp</code>" in html
    assert '<a href="https://example.com/drift" rel="noopener noreferrer nofollow">docs</a>' in html
    assert "<table>" in html
    assert "x = 1 &lt; 2" in html


def test_empty_text_renders_nothing():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


def test_template_filter_uses_the_same_renderer():
    template = Template("{% load cultivate %}{{ text|markdown }}")

    html = template.render(Context({"text": "**ok** <script>alert(1)</script>"}))

    assert "<strong>ok</strong>" in html
    assert "<script" not in html
