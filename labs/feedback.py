"""The feedback notebook: what the learner wrote and what it printed, and the visible tests.

Rendered to sanitised HTML by `core.notebooks.notebook_html`, then served from a view whose
Content-Security-Policy sandboxes it (no script runs in the app's origin). Hidden tests appear
only as a placeholder; any output that quotes a line of a hidden test is withheld, so that code
cannot smuggle hidden tests out through its printed output.
"""

import nbformat

from core.markdown import render_markdown
from core.notebooks import notebook_html
from labs.executor import SEALED_MIME
from labs.judge import RunPlan
from labs.spec import LabSpec, SpecCell

HIDDEN_PLACEHOLDER = "# Hidden test: its code is not shown."
WITHHELD = "[output withheld: it quotes a hidden test]\n"
AFTER_HIDDEN_NOTE = (
    "*A test with hidden checks ran here: outputs of the cells below are not shown in this "
    "feedback. Your own notebook has them.*"
)


def render_feedback(spec: LabSpec, plan: RunPlan, outcomes: list, answers: dict) -> str:
    """The feedback notebook of a run, as HTML."""
    return feedback_html(feedback_notebook(spec, plan, outcomes, answers))


def feedback_html(notebook: dict) -> str:
    """A feedback notebook (`feedback_notebook`) as sanitised HTML: the slow part (nbconvert),
    done when someone first opens the feedback rather than while the learner waits for a grade."""
    return notebook_html(nbformat.from_dict(notebook))


def feedback_notebook(spec: LabSpec, plan: RunPlan, outcomes: list, answers: dict) -> dict:
    """What the learner may see of a run: their code and its outputs, the visible tests, hidden
    ones as a placeholder. A plain dict, stored with the submission (small, unlike its HTML)."""
    notebook = nbformat.v4.new_notebook(metadata=spec.notebook_metadata)
    secrets = _hidden_lines(spec)
    outputs_by_cell = {
        id(rc.spec_cell): outcome.outputs
        for rc, outcome in zip(plan.cells, outcomes, strict=True)
        if rc.spec_cell is not None
    }
    after_hidden = False
    for cell in spec.cells:
        # Once a test with hidden code has run, later outputs could carry it out (a recorded
        # input, encoded): from there on, the feedback shows code but no outputs.
        outputs = [] if after_hidden else outputs_by_cell.get(id(cell), [])
        notebook.cells.append(_feedback_cell(cell, answers, outputs, secrets))
        if cell.role == "test" and (cell.hidden or cell.has_hidden_part):
            after_hidden = True
            notebook.cells.append(nbformat.v4.new_markdown_cell(AFTER_HIDDEN_NOTE))
    return _plain(notebook)


def _plain(node):
    """A NotebookNode tree as plain dicts and lists (what a JSONField stores)."""
    if isinstance(node, dict):
        return {key: _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(value) for value in node]
    return node


def _feedback_cell(cell: SpecCell, answers: dict, outputs: list, secrets: set[str]):
    if cell.cell_type == "markdown":
        source = cell.release_source
        if cell.role == "manual":
            source = answers.get(cell.grade_id or "", {}).get("source", source)
        # Rendered by the app's own markdown function (nh3 allowlist: no javascript: links),
        # then passed through nbconvert as the HTML it already is.
        return nbformat.v4.new_markdown_cell(str(render_markdown(source)))
    if cell.cell_type != "code":
        return nbformat.v4.new_raw_cell(cell.release_source)
    if cell.role == "test" and cell.hidden:
        return nbformat.v4.new_code_cell(HIDDEN_PLACEHOLDER)
    if cell.role in ("answer", "manual"):
        source = answers.get(cell.grade_id or "", {}).get("source", cell.release_source)
    else:
        source = cell.release_source
    code = nbformat.v4.new_code_cell(source)
    if cell.role == "test":
        # The results table says how a test went; its traceback would show the grader's
        # rewritten code and, for tests with hidden parts, what they check.
        if not cell.has_hidden_part:
            code.outputs = [_withhold(o, secrets) for o in outputs if _shown_for_tests(o)]
        return code
    code.outputs = [_withhold(o, secrets) for o in outputs if not _is_sealed(o)]
    return code


def _shown_for_tests(output: dict) -> bool:
    return output.get("output_type") != "error" and not _is_sealed(output)


def _hidden_lines(spec: LabSpec) -> set[str]:
    """Lines of hidden test code that are long enough to be recognisable."""
    lines = set()
    for cell in spec.tests:
        visible = set(cell.release_source.splitlines()) if not cell.hidden else set()
        for line in cell.source.splitlines():
            stripped = line.strip()
            if len(stripped) >= 12 and line not in visible:
                lines.add(stripped)
    return lines


def _withhold(output: dict, secrets: set[str]):
    text = str(output.get("text", "")) + str(output.get("data", {})) + str(output.get("evalue", ""))
    text += "".join(output.get("traceback", []))
    if any(secret in text for secret in secrets):
        return nbformat.v4.new_output("stream", name="stderr", text=WITHHELD)
    return nbformat.from_dict(output)


def _is_sealed(output: dict) -> bool:
    return SEALED_MIME in output.get("data", {})
