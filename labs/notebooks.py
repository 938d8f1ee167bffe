import json

import nbformat

from labs.models import Lab


def notebook_bytes(lab: Lab) -> bytes:
    """The learner notebook of the lab's current version, as a file."""
    notebook = nbformat.from_dict(lab.current_version.release)
    return json.dumps(notebook, indent=1, ensure_ascii=False).encode() + b"\n"
