"""Lab formats: parsing nbgrader (native) and Otter-Grader v1 notebooks into a LabSpec, and
generating the learner's release from one. Pure functions: no database, no network."""

from labs.format.loader import detect_format, load_lab, load_labs, read_notebook
from labs.format.nbgrader import parse_nbgrader
from labs.format.otter import is_otter_notebook, parse_otter
from labs.format.release import answers_digest, build_release, learner_answers

__all__ = [
    "answers_digest",
    "build_release",
    "detect_format",
    "is_otter_notebook",
    "learner_answers",
    "load_lab",
    "load_labs",
    "parse_nbgrader",
    "parse_otter",
    "read_notebook",
]
