"""Checks on a submission's attachments, made before anything is stored.

An attachment must have an allowed extension, fit under `HACKATHONS_MAX_ATTACHMENT_BYTES`
(default 5 MB), and look like what its name says: a notebook parses as JSON and validates
against the notebook schema; a PDF or an image starts with its format's signature. A notebook is
rendered once, here, to sanitised HTML.
"""

import json
from dataclasses import dataclass

import nbformat
from django.conf import settings
from django.core.exceptions import ValidationError

from core.notebooks import notebook_html

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_NOTEBOOK_CELLS = 500

# extension → (content type, signature the file starts with, or None for text)
ALLOWED = {
    "ipynb": ("application/x-ipynb+json", None),
    "pdf": ("application/pdf", b"%PDF-"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "md": ("text/markdown", None),
    "txt": ("text/plain", None),
    "csv": ("text/csv", None),
}


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    content_type: str
    size: int
    content: bytes
    notebook_html: str = ""


def max_bytes() -> int:
    return getattr(settings, "HACKATHONS_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_BYTES)


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


def check_upload(upload) -> CheckedUpload:
    """`upload` is a Django UploadedFile. Raises ValidationError({"file": reason})."""
    name = (upload.name or "").rsplit("/", 1)[-1][:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED:
        allowed = ", ".join(f".{e}" for e in ALLOWED)
        raise _refuse(f"“{name}” is not an accepted type; attach one of {allowed}.")
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise _refuse(f"“{name}” is {upload.size:,} bytes; the limit is {limit:,} bytes.")
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise _refuse(f"“{name}” is larger than the limit of {limit:,} bytes.")
    content_type, signature = ALLOWED[extension]
    if signature is not None and not content.startswith(signature):
        raise _refuse(f"“{name}” is not a {extension.upper()} file.")
    rendered = ""
    if extension == "ipynb":
        rendered = notebook_html(_notebook(name, content))
    elif signature is None:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError as error:
            raise _refuse(f"“{name}” is not UTF-8 text.") from error
    return CheckedUpload(
        name=name,
        content_type=content_type,
        size=len(content),
        content=content,
        notebook_html=rendered,
    )


def _notebook(name: str, content: bytes) -> nbformat.NotebookNode:
    try:
        text = content.decode("utf-8")
        if not isinstance(json.loads(text), dict):
            raise ValueError("not an object")
        # `reads` joins the on-disk lists of lines into strings, as nbconvert expects.
        notebook = nbformat.reads(text, as_version=4)
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        raise _refuse(f"“{name}” is not a valid notebook: {error.message}") from error
    except Exception as error:  # nbformat's converters raise many kinds on malformed input
        raise _refuse(f"“{name}” is not a readable notebook.") from error
    if len(notebook.get("cells", [])) > MAX_NOTEBOOK_CELLS:
        raise _refuse(f"“{name}” has more than {MAX_NOTEBOOK_CELLS} cells.")
    return notebook
