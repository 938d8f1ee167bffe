"""Acceptance 4: code in the kernel cannot fake a pass, and honest work is never suspected.

Each cheat is graded through `labs.services.grading_run` against the reference lab (mean_of:
2 points, a visible and a hidden assert; scale: 1 point; spread: 1 point, a sealed check judged
outside the kernel). Apart from the cheat, every answer is WRONG, so that an honest submission
would score 0: any point earned would be the cheat's. The kernel-level cheats (they change how
the kernel runs or reports cells) must also be flagged `tamper_suspected`; those that stay
within Python (an object equal to everything, os._exit, sys.exit) need not be, and the tests
record what the judge does with them.

The runs go through the fast executor, as in a grading worker: each is a kernel forked from
one zygote (labs.executor), which must not make any cheat easier, nor any cheat outlive its run.

No database: the spec is loaded and validated (to fill the sealed check's expected value) once
for the module. Its time limits are then made generous, so that no outcome depends on how
loaded the machine is: cells that should finish do, by far; only the endless loop times out.
"""

from dataclasses import replace
from pathlib import Path

import pytest

from labs import executor
from labs.format import load_lab
from labs.judge import TAMPER_FLAG
from labs.services import grading_run, lab_validate
from tests.conftest import skip_or_fail
from tests.labs.conftest import forked_from_a_zygote

REFERENCE_LAB = Path(__file__).parent / "fixtures" / "reference_lab"
POINTS = {"test_mean_of": 2.0, "test_scale": 1.0, "test_spread": 1.0}

CORRECT = {
    "mean_of": "def mean_of(values):\n    return sum(values) / len(values)",
    "scale": (
        "def scale(values):\n"
        "    low, high = min(values), max(values)\n"
        "    return [(v - low) / (high - low) for v in values]"
    ),
    "spread": "def spread(values):\n    return statistics.stdev(values)",
}
WRONG = {
    "mean_of": "def mean_of(values):\n    return 0",
    "scale": "def scale(values):\n    return values",
    "spread": "def spread(values):\n    return 0.0",
}
PARTIAL = {**WRONG, "mean_of": CORRECT["mean_of"]}


@pytest.fixture(scope="module", autouse=True)
def _forked_from_the_zygote():
    """As in a grading worker: each run is a kernel forked from this process's zygote."""
    with forked_from_a_zygote():
        yield
        assert executor._zygote is not None, "the runs were not forked from a zygote"


@pytest.fixture(scope="module")
def spec():
    if not executor.bubblewrap_works():
        skip_or_fail("bubblewrap cannot create a sandbox here (Debian: apt-get install bubblewrap)")
    spec, report = lab_validate(spec=load_lab(REFERENCE_LAB))
    assert report["ok"], report
    assert report["sandbox"] == "bubblewrap"
    assert {t.grade_id: t.points for t in spec.tests} == POINTS
    return replace(spec, settings=replace(spec.settings, cell_timeout=60, total_timeout=300))


def grade(spec, answers: dict[str, str]):
    cells = {grade_id: {"cell_type": "code", "source": src} for grade_id, src in answers.items()}
    return grading_run(spec=spec, answers=cells).grade


def earned(result) -> dict[str, float]:
    return {r.id: r.points for r in result.results}


NOTHING = dict.fromkeys(POINTS, 0.0)


# --- cheats that change the kernel: no credit, and flagged ----------------------------------

SILENCE_TRACEBACKS = """\
def mean_of(values):
    return 0

get_ipython().showtraceback = lambda *args, **kwargs: None
"""

BLANK_LATER_CELLS_POST = """\
def mean_of(values):
    return 0

get_ipython().input_transformers_post.append(lambda lines: [])
"""

BLANK_LATER_CELLS_CLEANUP = """\
def mean_of(values):
    return 0

get_ipython().input_transformers_cleanup.append(lambda lines: ["pass\\n"])
"""

# Blanks only what looks like a test of this lab; the checks the grader slips in run untouched.
BLANK_THE_TESTS = """\
def mean_of(values):
    return 0

def _skip_tests(lines):
    text = "".join(lines)
    return ["pass\\n"] if "mean_of(" in text or "scale(" in text else lines

get_ipython().input_transformers_post.append(_skip_tests)
"""

FAKE_RUN_CELL = """\
def mean_of(values):
    return 0

from IPython.core.interactiveshell import ExecutionInfo, ExecutionResult

_shell = get_ipython()

def _fake_run_cell(raw_cell, *args, **kwargs):
    info = ExecutionInfo(raw_cell, True, False, False, None)
    result = ExecutionResult(info)
    result.execution_count = _shell.execution_count
    return result

async def _fake_run_cell_async(raw_cell, *args, **kwargs):
    return _fake_run_cell(raw_cell)

_shell.run_cell = _fake_run_cell
_shell.run_cell_async = _fake_run_cell_async
"""

# Fakes success only for cells that call the learner's functions.
FAKE_RUN_CELL_FOR_TESTS = FAKE_RUN_CELL.replace(
    "_shell.run_cell = _fake_run_cell\n_shell.run_cell_async = _fake_run_cell_async\n",
    """\
_real_run_cell_async = _shell.run_cell_async

async def _selective(raw_cell, *args, **kwargs):
    if "mean_of(" in raw_cell or "scale(" in raw_cell:
        return _fake_run_cell(raw_cell)
    return await _real_run_cell_async(raw_cell, *args, **kwargs)

_shell.run_cell_async = _selective
""",
)

PATCH_ISCLOSE_AND_ASSERTIONERROR = """\
import builtins, math

def mean_of(values):
    return 0

builtins.AssertionError = type("AssertionError", (Exception,), {})
math.isclose = lambda *args, **kwargs: True
"""

# The grader's equality helper lives in the same namespace; make every one of them agree.
PATCH_EQUALITY_HELPER = """\
def mean_of(values):
    return 0

for _name in list(globals()):
    if _name.startswith("_cv_eq_") and not _name.endswith(("_ran", "_value")):
        globals()[_name] = lambda a, b: True
"""

# --- the rest of the execution path: each replaced part is seen from outside the kernel ---

# Returns no ExecutionResult: ipykernel's request handler fails and the kernel goes idle
# without a reply. Every later cell waited out its time limit and the run ended with the
# checks not run, so the canaries saw nothing (issue 8, item 4).
RUN_CELL_ASYNC_BREAKS_THE_REPLY = """\
def mean_of(values):
    return 0

async def _nothing(*args, **kwargs):
    return None

get_ipython().run_cell_async = _nothing
"""

# Only run_cell_async (run_cell calls it), faking success for everything.
FAKE_RUN_CELL_ASYNC = FAKE_RUN_CELL.replace("_shell.run_cell = _fake_run_cell\n", "")

# ipykernel itself calls run_cell_async directly when should_run_async says so.
FAKE_SHOULD_RUN_ASYNC = FAKE_RUN_CELL_ASYNC + "_shell.should_run_async = lambda *a, **k: True\n"

# The selective ones below leave the grader's checks alone and keep each test's last line
# (its token), dropping only the asserts of cells that call the learner's functions.
TESTS_ONLY = '("mean_of(" in {text} or "scale(" in {text})'

RUN_AST_NODES_DROPS_ASSERTS = f"""\
import ast

def mean_of(values):
    return 0

_shell = get_ipython()
_real_run_ast_nodes = _shell.run_ast_nodes

async def _run_ast_nodes(nodelist, *args, **kwargs):
    if {TESTS_ONLY.format(text="ast.unparse(ast.Module(nodelist, []))")}:
        nodelist = [node for node in nodelist if not isinstance(node, ast.Assert)]
    return await _real_run_ast_nodes(nodelist, *args, **kwargs)

_shell.run_ast_nodes = _run_ast_nodes
"""

RUN_CODE_SKIPS_TESTS = """\
def mean_of(values):
    return 0

_shell = get_ipython()
_real_run_code = _shell.run_code

async def _run_code(code, *args, **kwargs):
    if {"mean_of", "scale"} & set(code.co_names):
        return False  # "no error"
    return await _real_run_code(code, *args, **kwargs)

_shell.run_code = _run_code
"""

TRANSFORM_CELL_BLANKS_TESTS = f"""\
def mean_of(values):
    return 0

_shell = get_ipython()
_real_transform_cell = _shell.transform_cell

def _transform_cell(cell):
    return "pass\\n" if {TESTS_ONLY.format(text="cell")} else _real_transform_cell(cell)

_shell.transform_cell = _transform_cell
"""

AST_TRANSFORMER_DROPS_ASSERTS = f"""\
import ast

def mean_of(values):
    return 0

class _DropAsserts(ast.NodeTransformer):
    def visit_Module(self, node):
        if {TESTS_ONLY.format(text="ast.unparse(node)")}:
            node.body = [n for n in node.body if not isinstance(n, ast.Assert)]
        return node

get_ipython().ast_transformers.append(_DropAsserts())
"""

TRANSFORMER_DROPS_ASSERT_LINES = f"""\
def mean_of(values):
    return 0

def _drop_asserts(lines):
    if {TESTS_ONLY.format(text='"".join(lines)')}:
        return [line for line in lines if not line.startswith("assert ")]
    return lines

get_ipython().input_transformers_post.append(_drop_asserts)
"""

SILENCE_TRACEBACKS_INSIDE = SILENCE_TRACEBACKS.replace(".showtraceback", "._showtraceback")

HIDE_LAST_EXPRESSIONS = """\
def mean_of(values):
    return 0

get_ipython().ast_node_interactivity = "none"
"""

# Before each test runs, make the grader's equality helper agree (the canaries are spared).
PRE_RUN_CELL_HOOK = f"""\
def mean_of(values):
    return 0

def _before_each_cell(info):
    if {TESTS_ONLY.format(text="info.raw_cell")}:
        for name in list(globals()):
            if name.startswith("_cv_eq_") and not name.endswith(("_ran", "_value")):
                globals()[name] = lambda a, b: True

get_ipython().events.register("pre_run_cell", _before_each_cell)
"""

# Jumps over the assert lines of the tests (a trace function may set f_lineno).
SETTRACE_SKIPS_ASSERTS = """\
import linecache, sys

def mean_of(values):
    return 0

def _lines(frame, event, arg):
    line = linecache.getline(frame.f_code.co_filename, frame.f_lineno)
    if event == "line" and line.startswith("assert ") and "mean_of(" in line:
        try:
            frame.f_lineno += 1
        except ValueError:
            pass
    return _lines

sys.settrace(lambda frame, event, arg: _lines if frame.f_code.co_name == "<module>" else None)
"""

# With the tests that pass in the kernel all the same: the judge marks them passed, and only
# the flag (which withholds all automatic credit) keeps them from scoring. Every other cheat
# fails its tests on the judge's own terms: the kernel's reply, or the token a test hands back
# at its end, which a blanked or skipped test cannot.
KERNEL_CHEATS = [
    pytest.param(SILENCE_TRACEBACKS, set(), id="showtraceback"),
    pytest.param(BLANK_LATER_CELLS_POST, set(), id="transformer-post-blanks-all"),
    pytest.param(BLANK_LATER_CELLS_CLEANUP, set(), id="transformer-cleanup-blanks-all"),
    pytest.param(BLANK_THE_TESTS, set(), id="transformer-blanks-tests-only"),
    pytest.param(FAKE_RUN_CELL, set(), id="run_cell"),
    pytest.param(FAKE_RUN_CELL_FOR_TESTS, set(), id="run_cell-tests-only"),
    pytest.param(PATCH_ISCLOSE_AND_ASSERTIONERROR, set(), id="isclose-and-AssertionError"),
    pytest.param(PATCH_EQUALITY_HELPER, {"test_mean_of", "test_scale"}, id="equality-helper"),
    pytest.param(RUN_CELL_ASYNC_BREAKS_THE_REPLY, set(), id="run_cell_async-no-reply"),
    pytest.param(FAKE_RUN_CELL_ASYNC, set(), id="run_cell_async"),
    pytest.param(FAKE_SHOULD_RUN_ASYNC, set(), id="should_run_async"),
    pytest.param(RUN_AST_NODES_DROPS_ASSERTS, {"test_mean_of", "test_scale"},
                 id="run_ast_nodes-drops-asserts"),
    pytest.param(RUN_CODE_SKIPS_TESTS, {"test_mean_of", "test_scale"}, id="run_code-skips-tests"),
    pytest.param(TRANSFORM_CELL_BLANKS_TESTS, set(), id="transform_cell-blanks-tests"),
    pytest.param(AST_TRANSFORMER_DROPS_ASSERTS, {"test_mean_of", "test_scale"},
                 id="ast_transformer-drops-asserts"),
    pytest.param(TRANSFORMER_DROPS_ASSERT_LINES, {"test_mean_of", "test_scale"},
                 id="transformer-drops-assert-lines"),
    pytest.param(SILENCE_TRACEBACKS_INSIDE, set(), id="_showtraceback"),
    pytest.param(HIDE_LAST_EXPRESSIONS, set(), id="ast_node_interactivity"),
    pytest.param(PRE_RUN_CELL_HOOK, {"test_mean_of", "test_scale"}, id="pre_run_cell-hook"),
    pytest.param(SETTRACE_SKIPS_ASSERTS, set(), id="settrace"),
]  # fmt: skip


@pytest.mark.parametrize(("cheat", "passed_in_kernel"), KERNEL_CHEATS)
def test_kernel_level_cheat_earns_nothing_and_is_flagged(spec, cheat, passed_in_kernel):
    result = grade(spec, {**WRONG, "mean_of": cheat})
    assert result.score == 0.0
    assert earned(result) == NOTHING
    assert TAMPER_FLAG in result.flags, result.results
    assert result.tamper  # what the checks saw, for the reviewer
    assert {r.id for r in result.results if r.passed} == passed_in_kernel


# --- cheats within Python: no credit; what the judge does is recorded -----------------------

EQUAL_TO_EVERYTHING = """\
class _Anything:
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __hash__ = object.__hash__

def mean_of(values):
    return _Anything()

def scale(values):
    return _Anything()

def spread(values):
    return _Anything()
"""

# `__eq__` answering a truthy non-bool, and a float that equals every number.
TRUTHY_EQUALITY = EQUAL_TO_EVERYTHING.replace("return True", "return 1")
EQUAL_FLOAT = """\
class _Anything(float):
    def __eq__(self, other):
        return True
    __hash__ = float.__hash__

def mean_of(values):
    return _Anything(0)

def scale(values):
    return _Anything(0)

def spread(values):
    return _Anything(0)
"""

FAKE_PASS_THEN_EXIT = """\
def mean_of(values):
    return 0

print("All tests passed! Score: 4/4")
import os
os._exit(0)
"""

FAKE_PASS_THEN_EXIT_IN_FUNCTION = """\
def mean_of(values):
    print("All tests passed! Score: 4/4")
    import os
    os._exit(0)
"""

# `assert` raises the real AssertionError whatever the name is bound to: no outcome changes.
REDEFINE_ASSERTIONERROR = """\
import builtins

def mean_of(values):
    return 0

class AssertionError(Exception):
    pass

builtins.AssertionError = AssertionError
"""

SYS_EXIT_IN_ANSWER = """\
def mean_of(values):
    return 0

import sys
sys.exit()
"""

SYS_EXIT_IN_FUNCTION = """\
def mean_of(values):
    import sys
    sys.exit(0)
"""


@pytest.mark.parametrize(
    "cheat", [EQUAL_TO_EVERYTHING, TRUTHY_EQUALITY, EQUAL_FLOAT], ids=["eq", "truthy", "float"]
)
def test_object_equal_to_everything_earns_nothing(spec, cheat):
    # One answer cell defines all three functions; the other two are left empty.
    result = grade(spec, {"mean_of": cheat, "scale": "", "spread": ""})
    assert result.score == 0.0
    by_id = {r.id: r.as_dict() for r in result.results}
    assert not any(r.passed for r in result.results)
    # The asserts compare through a helper that refuses an object equal to a fresh object.
    assert by_id["test_mean_of"]["message"].startswith("The test failed")
    assert by_id["test_scale"]["message"].startswith("The test failed")
    # seal() hands over JSON: such an object cannot even be sent, or arrives as what it is.
    assert by_id["test_spread"]["message"] in {
        "The test raised TypeError: seal() takes numbers, text, lists and dicts, not _Anything",
        "`spread` is not what the lab expects (got 0.0).",  # the float: JSON has its value
    }
    assert result.flags == []  # an answer, not a change to the kernel: no flag


def test_fake_pass_line_then_os_exit_earns_nothing(spec):
    result = grade(spec, {**WRONG, "mean_of": FAKE_PASS_THEN_EXIT})
    assert result.score == 0.0
    assert earned(result) == NOTHING
    # The kernel is gone before the first test: nothing after it runs, nothing passes.
    for r in result.results:
        assert r.message == "Not run: the kernel had stopped earlier (see the tests above).", r
    assert result.flags == []  # what was printed is never read as a result


def test_os_exit_inside_the_answer_function_earns_nothing(spec):
    result = grade(spec, {**WRONG, "mean_of": FAKE_PASS_THEN_EXIT_IN_FUNCTION})
    assert result.score == 0.0
    by_id = {r.id: r.as_dict() for r in result.results}
    assert by_id["test_mean_of"]["message"].startswith("The kernel stopped while this test ran")
    assert by_id["test_scale"]["message"].startswith("Not run")
    assert by_id["test_spread"]["message"].startswith("Not run")
    assert result.flags == []


def test_redefining_assertionerror_alone_changes_nothing(spec):
    result = grade(spec, {**WRONG, "mean_of": REDEFINE_ASSERTIONERROR})
    assert result.score == 0.0
    assert earned(result) == NOTHING
    assert result.results[0].message.startswith("The test failed")
    assert result.flags == []  # nothing behaved differently, so nothing to flag


def test_sys_exit_in_an_answer_earns_nothing(spec):
    # IPython turns SystemExit into an error of the cell and carries on: the tests run, on the
    # wrong answers, and fail as they would have.
    result = grade(spec, {**WRONG, "mean_of": SYS_EXIT_IN_ANSWER})
    assert result.score == 0.0
    assert earned(result) == NOTHING
    assert all(r.message.startswith("The test failed") for r in result.results[:2])
    assert result.flags == []


def test_sys_exit_in_an_answer_function_earns_nothing(spec):
    result = grade(spec, {**WRONG, "mean_of": SYS_EXIT_IN_FUNCTION})
    assert result.score == 0.0
    by_id = {r.id: r.as_dict() for r in result.results}
    assert by_id["test_mean_of"]["message"] == "The test raised SystemExit: 0"
    assert not by_id["test_mean_of"]["passed"]
    assert result.flags == []


# --- honest work ----------------------------------------------------------------------------

# Correct, and chatty: past the output cap (1 MB), which small lines then fill to the brim.
CHATTY = (
    CORRECT["mean_of"]
    + """

for i in range(1_000):
    print("x" * 1_000, flush=True)
for i in range(3_000):
    print(i, flush=True)
"""
)

# What notebooks commonly do to their own kernel: none of it is tampering.
NOTEBOOK_HABITS = (
    CORRECT["mean_of"]
    + """

from IPython.core.interactiveshell import InteractiveShell
InteractiveShell.ast_node_interactivity = "all"
%load_ext autoreload
%autoreload 2
import pandas as pd
frame = pd.DataFrame({"a": [1, 2, 3]})
frame.describe()
try:
    import matplotlib.pyplot as plt
except ImportError:  # not every kernel environment has it
    plt = None
if plt is not None:
    plt.plot([1, 2, 3])
    plt.show()
"""
)

# A beginner's infinite loop that prints: it times out and floods the output, nothing more.
ENDLESS_PRINTING = """\
def mean_of(values):
    i = 0
    while i < len(values):
        print("adding", values[i], flush=True)
    return 0
"""


@pytest.mark.parametrize(
    ("answers", "expected", "runs"),
    [
        pytest.param(CORRECT, POINTS, 5, id="correct"),
        pytest.param(PARTIAL, {"test_mean_of": 2.0, "test_scale": 0.0, "test_spread": 0.0}, 3,
                     id="partial"),
        pytest.param({}, NOTHING, 3, id="release"),
        # The tests' sealed values and the grader's checks still get through.
        pytest.param({**CORRECT, "mean_of": CHATTY}, POINTS, 3, id="prints-past-the-cap"),
        pytest.param({**CORRECT, "mean_of": NOTEBOOK_HABITS}, POINTS, 3, id="notebook-habits"),
    ],
)  # fmt: skip
def test_honest_submissions_are_never_flagged(spec, answers, expected, runs):
    for _ in range(runs):
        result = grade(spec, answers)
        assert result.flags == [], result.tamper
        assert result.tamper == []
        assert earned(result) == expected
        assert result.score == sum(expected.values())


@pytest.mark.parametrize("flush", [True, False])
def test_an_endless_printing_loop_is_a_mistake_not_tampering(spec, flush):
    """It times out and fills the output budget; the checks after it must not read as tampered."""
    # The loop's limit; the trivial cells after it need milliseconds of it, even on a busy machine.
    quick = replace(spec, settings=replace(spec.settings, cell_timeout=5))
    answer = ENDLESS_PRINTING if flush else ENDLESS_PRINTING.replace(", flush=True", "")
    result = grade(quick, {**CORRECT, "mean_of": answer})
    assert result.flags == [], result.tamper
    assert earned(result) == {"test_mean_of": 0.0, "test_scale": 1.0, "test_spread": 1.0}
    assert result.results[0].message.startswith("Timed out")


def test_the_graders_cells_stay_out_of_the_kernels_history(spec):
    """A later answer printing `In`/`_ih` must not find the hidden tests that ran before it."""
    answers = {"spread": "print(repr(In), repr(_ih))\ndef spread(values):\n    return 0"}

    cells = {grade_id: {"cell_type": "code", "source": src} for grade_id, src in answers.items()}
    graded = grading_run(spec=spec, answers=cells)

    printed = "".join(outcome.text for outcome in graded.execution.cells)
    assert "print(repr(In)" in printed  # the learner's own cell is in the history
    assert "2.5, 3.5" not in printed and "mean_of([1, 2, 3])" not in printed
