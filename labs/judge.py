"""Build a grading run from a lab version and a learner's answers, and judge what came back.

Everything here runs in the worker, outside the sandbox. The run is made of:
- a preamble defining `seal(name, value)` (sealed checks) and an equality helper whose name is
  new in every run;
- the cells of the *pinned lab version*, in order: locked/setup code from the source, the
  learner's answer cells matched by grade_id (the release stub where one is missing), and the
  authoritative test cells, hidden parts included (never the tests in the upload);
- after every test, a canary: a cell that looks like a test and whose outcome the worker knows;
  after the last test, one canary of every kind, so that tampering that lasts is always seen.

The execution path itself is checked from outside as well: with every cell the kernel is sent
a probe (a Jupyter user expression, not part of any cell's code, so nothing that picks cells by
their code sees it) that describes the shell's execution machinery; the worker compares each
answer with the one given after the preamble, before any learner code ran. A replaced
`run_cell`, `run_cell_async`, `run_ast_nodes`, `run_code`, `transform_cell`,
`should_run_async`, `showtraceback`…, an added input or AST transformer, a hook registered
from the notebook, tracing, or an odd `ast_node_interactivity` is seen however selectively it
acts. So is a kernel that finished a cell without replying (a replaced path that breaks the
reply), and a reply without the probe's answer.

A test passes only when the kernel's execute reply says "ok", no error output was produced, the
cell handed back the token it ends with (proof that it ran to its end: a cell blanked or skipped
by an input transformer or a patched `run_cell` cannot hand it back), and every sealed check of
the cell matches its expected value (compared here; expected values never enter the sandbox). A
canary that behaves wrongly, or a test that claims success without its token, means the kernel
was tampered with (input transformers, a patched `run_cell` or `showtraceback`, patched
`math.isclose`, a redefined `AssertionError`…): the submission then gets no automatic credit and
is flagged for review.
"""

import ast
import json
import math
import random
import secrets
from dataclasses import asdict, dataclass, field, replace

from labs.executor import CellOutcome, ExecutionResult, Limits
from labs.spec import LabSpec, SealedCheck, SpecCell

MAX_SEALED_BYTES = 64 * 1024
MAX_SEALED_DEPTH = 32
TAMPER_FLAG = "tamper_suspected"
CANARY_KINDS = ("pass", "fail", "echo", "isclose")


@dataclass(frozen=True)
class Canary:
    kind: str  # pass | fail | echo
    expected_text: str = ""  # echo: the exact stdout; fail: the assertion message


@dataclass(frozen=True)
class RunCell:
    code: str
    role: str  # preamble | seed | setup | answer | test | canary
    spec_cell: SpecCell | None = None
    canary: Canary | None = None
    token: str = ""  # tests: what the cell hands back (sealed, as `<eq_name>_ran`) at its end


@dataclass
class RunPlan:
    cells: list[RunCell]
    eq_name: str
    probe: str = ""  # the expression sent with every cell (see `_PROBE`)

    @property
    def ran_name(self) -> str:
        return f"{self.eq_name}_ran"


@dataclass(frozen=True)
class Verdict:
    """One test's result, as the judge gives it; kept on the submission as a dict (`as_dict`)."""

    id: str
    title: str
    max_points: float
    hidden: bool = False
    passed: bool = False
    points: float = 0.0
    message: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Grade:
    score: float
    max_score: float
    results: list[Verdict]
    flags: list[str] = field(default_factory=list)
    tamper: list[str] = field(default_factory=list)  # what the canaries saw, for reviewers
    sealed_values: dict = field(default_factory=dict)  # name → value, from the tests

    @property
    def auto_score(self) -> float:
        return sum(r.points for r in self.results)


def limits_for(spec: LabSpec, *, output_bytes: int) -> Limits:
    s = spec.settings
    return Limits(
        cell_timeout=s.cell_timeout,
        total_timeout=s.total_timeout,
        memory_mb=s.memory_mb,
        cpu_seconds=s.total_timeout + 30,
        output_bytes=output_bytes,
    )


# --- building the run ------------------------------------------------------------------------


def build_run(spec: LabSpec, answers: dict[str, dict], *, use_reference: bool = False) -> RunPlan:
    """The cells to execute. `use_reference` runs the author's solutions (import validation)."""
    rng = random.Random(secrets.randbits(64))  # noqa: S311 - unpredictability, not crypto
    eq_name = f"_cv_eq_{secrets.token_hex(4)}"
    cells = [RunCell(code=_preamble(eq_name), role="preamble")]
    previous: SpecCell | None = None
    for cell in spec.cells:
        if cell.cell_type != "code":
            continue
        if spec.seed is not None and not _same_check(previous, cell):
            cells.append(RunCell(_seed_code(spec), "seed"))
        previous = cell
        if cell.role in ("answer", "manual"):
            cells.append(RunCell(_answer_code(cell, answers, use_reference), "answer", cell))
        elif cell.role == "test":
            token = secrets.token_hex(8)
            code, token = _rewrite_test(cell.source, eq_name, token)
            cells.append(RunCell(code, "test", cell, token=token))
            cells.append(_canary(rng, eq_name))
        else:  # plain and locked code: as the author wrote it
            cells.append(RunCell(cell.source, "setup", cell))
    # One canary drawn at random after each test may well be one that the tampering at hand
    # does not disturb (a blanked "pass" canary still passes; a silenced traceback only shows on
    # a failing one): with four kinds and three tests, a showtraceback patch went unseen one run
    # in eight. Every kind once at the end sees whatever was installed before the last test.
    cells += [_canary(rng, eq_name, kind) for kind in rng.sample(CANARY_KINDS, len(CANARY_KINDS))]
    return RunPlan(cells=cells, eq_name=eq_name, probe=PROBE_EXPRESSION)


def _same_check(previous: SpecCell | None, cell: SpecCell) -> bool:
    """Whether `cell` is a test run by the same check as the one before it: Otter checks a
    question's tests in one cell, seeded once."""
    return (
        previous is not None
        and previous.role == cell.role == "test"
        and previous.question == cell.question
    )


def _seed_code(spec: LabSpec) -> str:
    """What Otter runs before every cell when grading with a seed, as a cell of its own (the
    learner's line numbers stay theirs) that binds no name in the learner's namespace."""
    if spec.seed_variable:
        return f"{spec.seed_variable} = {spec.seed!r}"
    return (
        f'__import__("numpy").random.seed({spec.seed!r})\n__import__("random").seed({spec.seed!r})'
    )


def _answer_code(cell: SpecCell, answers: dict[str, dict], use_reference: bool) -> str:
    if use_reference:
        return cell.source
    answer = answers.get(cell.grade_id or "")
    if answer is None or answer.get("cell_type", "code") != "code":
        return cell.release_source
    return answer.get("source", "")


def _preamble(eq_name: str) -> str:
    return f'''\
def seal(name, value):
    """Hand a value to the grader, which compares it outside this kernel."""
    import json
    from IPython.display import display
    def plain(obj):
        if hasattr(obj, "tolist"):
            return obj.tolist()
        kind = type(obj).__name__
        raise TypeError(f"seal() takes numbers, text, lists and dicts, not {{kind}}")
    value = json.loads(json.dumps(value, default=plain))
    mime = "application/vnd.cultivate.sealed+json"
    display({{mime: {{"name": str(name), "value": value}}}}, raw=True)

class _CvFresh:
    pass

def {eq_name}(a, b):
    fresh = _CvFresh()
    for side in (a, b):
        try:
            # Any truthy answer, not only True: `__eq__` returning 1 passes an assert just as
            # well. (Arrays compared to an object answer arrays, whose truth raises: no claim.)
            claim = bool(side == fresh)
        except Exception:
            claim = False
        if claim:
            return False  # an object that equals anything proves nothing
    return a == b

def {eq_name}_ran(token):
    """A test's last word: it ran to its end (see labs.judge)."""
    from IPython.display import display
    mime = "application/vnd.cultivate.sealed+json"
    display({{mime: {{"name": "{eq_name}_ran", "value": token}}}}, raw=True)
'''


class _EqualityRewriter(ast.NodeTransformer):
    """`assert x == y` becomes `assert <eq>(x, y)`: objects equal to everything do not pass."""

    def __init__(self, eq_name: str):
        self.eq_name = eq_name

    def visit_Assert(self, node: ast.Assert) -> ast.Assert:
        test = node.test
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq):
            call = ast.Call(
                func=ast.Name(id=self.eq_name, ctx=ast.Load()),
                args=[test.left, test.comparators[0]],
                keywords=[],
            )
            node.test = ast.copy_location(call, test)
        return node


def _rewrite_test(source: str, eq_name: str, token: str) -> tuple[str, str]:
    """The test with its asserts rewritten and, last, the hand-back of `token`; and the token.

    A cell whose value is displayed (Otter's output checks) keeps its last expression last.
    Code that does not parse as Python (IPython magics) runs as written, without a token.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics and the like: run as written
        return source, ""
    tree = _EqualityRewriter(eq_name).visit(tree)
    ran = ast.parse(f"{eq_name}_ran({token!r})").body
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        value = f"{eq_name}_value"
        last = tree.body.pop()
        keep = ast.Assign(targets=[ast.Name(value, ast.Store())], value=last.value)
        tree.body += [keep, *ran, ast.Expr(ast.Name(value, ast.Load()))]
    else:
        tree.body += ran
    return ast.unparse(ast.fix_missing_locations(tree)), token


def _canary(rng: random.Random, eq_name: str, kind: str = "") -> RunCell:
    a, b = rng.randint(100, 9999), rng.randint(100, 9999)
    kind = kind or rng.choice(CANARY_KINDS)
    if kind == "pass":
        code = f"result = {a} + {b}\nassert {eq_name}(result, {a + b})"
        return RunCell(code, "canary", canary=Canary("pass"))
    if kind == "fail":
        message = f"expected {a * b + 1}"
        code = f'result = {a} * {b}\nassert {eq_name}(result, {a * b + 1}), "{message}"'
        return RunCell(code, "canary", canary=Canary("fail", message))
    if kind == "isclose":
        message = f"{a}.5 is not close to {b}.25"
        code = f'assert __import__("math").isclose({a}.5, {b}.25 + {a - b}.5), "{message}"'
        return RunCell(code, "canary", canary=Canary("fail", message))
    return RunCell(f"print({a} * {b})", "canary", canary=Canary("echo", f"{a * b}\n"))


# --- judging ---------------------------------------------------------------------------------


def judge(spec: LabSpec, plan: RunPlan, execution: ExecutionResult) -> Grade:
    tamper = _canary_findings(plan, execution) + _execution_path_findings(plan, execution)
    results, sealed_values = [], {}
    # Judge against `spec`'s cells (by position): the import judges the reference run again
    # once the expected values it produced are filled in.
    cells = {cell.index: cell for cell in spec.cells}
    for run_cell, outcome in zip(plan.cells, execution.cells, strict=True):
        if run_cell.role != "test":
            continue
        finished = _ran_to_its_end(plan, run_cell, outcome)
        # Sealed outputs have their own budget in the executor; only when that ran out can a
        # token have been dropped on the way.
        if not finished and "sealed_output" not in execution.limits_hit:
            tamper.append("a test reported success without running to its end")
        spec_cell = cells[run_cell.spec_cell.index]
        result, values = _judge_test(spec_cell, outcome, execution, finished)
        results.append(result)
        sealed_values.update(values)
    results = _all_or_nothing(spec, results)
    flags = []
    if tamper:
        flags.append(TAMPER_FLAG)
        results = [replace(result, points=0.0) for result in results]
    return Grade(
        score=sum(r.points for r in results),
        max_score=spec.max_score,
        results=results,
        flags=flags,
        tamper=tamper,
        sealed_values=sealed_values,
    )


def _all_or_nothing(spec: LabSpec, results: list[Verdict]) -> list[Verdict]:
    """Otter's `all_or_nothing`: a question scores nothing unless every one of its tests passes."""
    if not spec.all_or_nothing:
        return results
    question_of = {cell.grade_id: cell.question for cell in spec.tests}
    failed = {question_of.get(r.id) for r in results if not r.passed}
    note = " (This question is all or nothing: another of its tests failed.)"
    return [
        replace(r, points=0.0, message=r.message + note)
        if question_of.get(r.id) in spec.all_or_nothing
        and question_of.get(r.id) in failed
        and r.passed
        else r
        for r in results
    ]


def _canary_findings(plan: RunPlan, execution: ExecutionResult) -> list[str]:
    findings = []
    for run_cell, outcome in zip(plan.cells, execution.cells, strict=True):
        if run_cell.role != "canary" or outcome.status in ("not_run", "timeout", "dead"):
            continue  # a canary that could not run proves nothing either way
        if outcome.status == "no_reply":
            continue  # seen by _execution_path_findings
        problem = _canary_problem(run_cell.canary, outcome)
        if problem:
            findings.append(problem)
    return findings


# --- the execution path, seen from outside ---------------------------------------------------

# Defined and called afresh by the probe expression each time (nothing of it stays in the
# kernel for later code to patch). Identities (`id`) are compared with the preamble's answer:
# a replaced method, list member or hook has another. Library hooks are fine (autoreload,
# matplotlib's inline backend register some); hooks defined by the notebook are not.
_PROBE = """\
def probe():
    import builtins, json, sys, threading
    from IPython import get_ipython
    shell = get_ipython()
    kernel = shell.kernel

    def ident(obj):
        return id(getattr(obj, "__func__", obj))

    prefixes = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})

    def from_notebook(callback):
        code = getattr(getattr(callback, "__func__", callback), "__code__", None)
        return code is None or not code.co_filename.startswith(prefixes)

    shell_methods = (
        "run_cell", "_run_cell", "run_cell_async", "should_run_async", "transform_cell",
        "transform_ast", "run_ast_nodes", "run_code", "showtraceback", "_showtraceback",
        "showsyntaxerror", "user_expressions", "ex", "ev", "safe_execfile", "run_line_magic",
        "run_cell_magic",
    )
    report = {name: ident(getattr(shell, name, None)) for name in shell_methods}
    for name in ("do_execute", "execute_request", "send_response", "dispatch_shell"):
        report["kernel." + name] = ident(getattr(kernel, name, None))
    handlers = getattr(kernel, "shell_handlers", {})
    report["kernel's execute_request handler"] = ident(handlers.get("execute_request"))
    for name in ("input_transformers_cleanup", "input_transformers_post", "ast_transformers"):
        report[name] = [ident(item) for item in getattr(shell, name)]
    manager = shell.input_transformer_manager
    report["input_transformer_manager"] = [
        id(manager), ident(manager.transform_cell), ident(manager.check_complete),
        [ident(t) for t in manager.line_transforms], [ident(t) for t in manager.token_transformers],
    ]
    report["compile"] = [id(shell.compile), ident(type(shell.compile).__call__),
                         ident(shell.compile.ast_parse)]
    report["builtins exec, compile, eval"] = [id(builtins.exec), id(builtins.compile),
                                              id(builtins.eval)]
    report["displayhook"] = [id(sys.displayhook), id(shell.displayhook),
                             ident(type(shell.displayhook).__call__)]
    report["display_pub"] = [id(shell.display_pub), ident(shell.display_pub.publish)]
    report["hooks"] = sorted(
        event + ": " + getattr(callback, "__qualname__", type(callback).__name__)
        for event, callbacks in shell.events.callbacks.items()
        for callback in callbacks
        if from_notebook(callback)
    )
    report["tracing"] = [f() is not None for f in (sys.gettrace, sys.getprofile,
                                                   threading.gettrace, threading.getprofile)]
    report["ast_node_interactivity"] = str(shell.ast_node_interactivity)
    return json.dumps(report)
"""
# An expression (user expressions are evaluated, not executed), whose only names are builtins.
PROBE_EXPRESSION = (
    f'(lambda ns: (__import__("builtins").exec({_PROBE!r}, ns), ns["probe"]())[1])({{}})'
)
# The modes in which IPython shows at least the value of a cell's last expression, as it
# does by default ("all" is common in teaching notebooks). Others hide what a test displays.
_INTERACTIVITY = {"last_expr", "all", "last_expr_or_assign"}


def _execution_path_findings(plan: RunPlan, execution: ExecutionResult) -> list[str]:
    findings = [
        "the kernel finished a cell without answering it (its execution path was replaced)"
        for outcome in execution.cells
        if outcome.status == "no_reply"
    ][:1]
    if not plan.probe or not execution.cells or execution.cells[0].reply_status != "ok":
        return findings  # no preamble answer: the kernel never ran, nothing to compare with
    baseline = _probe_report(execution.cells[0].probe)
    if baseline is None:
        return [*findings, "the kernel did not describe its execution path"]
    for outcome in execution.cells[1:]:
        if outcome.reply_status != "ok":
            continue  # a failed cell's reply carries no user expressions
        report = _probe_report(outcome.probe)
        if report is None:
            findings.append("a cell's reply left out the description of the execution path")
            continue
        findings += _changes(baseline, report)
    return list(dict.fromkeys(findings))


def _probe_report(answer: dict | None) -> dict | None:
    if not isinstance(answer, dict) or answer.get("status") != "ok":
        return None
    try:
        report = json.loads(ast.literal_eval(answer["data"]["text/plain"]))
    except (KeyError, TypeError, ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return report if isinstance(report, dict) else None


def _changes(baseline: dict, report: dict) -> list[str]:
    changes = []
    for name, value in report.items():
        if name == "ast_node_interactivity":
            if value not in _INTERACTIVITY:
                changes.append(f"ast_node_interactivity was set to {_short(value, 40)!r}")
        elif name == "hooks":
            added = sorted(set(value) - set(baseline.get(name, [])))
            if added:
                changes.append(f"the notebook registered hooks: {_short(', '.join(added), 200)}")
        elif name == "tracing":
            if value != baseline.get(name):
                changes.append("tracing or profiling was turned on (sys.settrace, setprofile)")
        elif value != baseline.get(name):
            changes.append(f"the execution path was changed: {name}")
    if set(baseline) - set(report):
        changes.append("the description of the execution path was altered")
    return changes


def _canary_problem(canary: Canary, outcome: CellOutcome) -> str:
    if canary.kind == "pass" and outcome.status != "ok":
        return f"a check that must pass failed ({outcome.ename or 'no reply'})"
    # Past the run's output cap the executor drops what does not fit, printed text and
    # tracebacks alike (an honest loop that prints a lot gets there): for a canary whose outputs
    # were cut, only the kernel's reply is evidence.
    outputs_kept = not outcome.truncated
    text_changed = outputs_kept and outcome.text != canary.expected_text
    if canary.kind == "echo" and (outcome.status != "ok" or text_changed):
        return "a check's printed output was changed or lost"
    if canary.kind == "fail":
        if outcome.status == "ok":
            return "a check that must fail passed"
        if outputs_kept and not outcome.error_output:
            return "a failing check showed no error (the traceback display was silenced)"
        if outcome.ename != "AssertionError" or outcome.evalue != canary.expected_text:
            return f"a failing check reported {outcome.ename or 'nothing'} instead"
    return ""


def _ran_to_its_end(plan: RunPlan, run_cell: RunCell, outcome: CellOutcome) -> bool:
    """False when the kernel says a test passed but the test did not hand back its token."""
    if outcome.status != "ok" or not run_cell.token:
        return True  # a failing test fails anyway; a test without a token cannot show it
    return _sealed_values(outcome).get(plan.ran_name) == run_cell.token


def _judge_test(
    cell: SpecCell, outcome: CellOutcome, execution: ExecutionResult, finished: bool = True
):
    values = _sealed_values(outcome)
    failure = (
        _failure_message(cell, outcome, execution)
        or ("" if finished else "The test did not run to its end.")
        or _sealed_failure(cell, outcome, values)
    )
    passed_message = cell.success_message or "Passed."
    result = Verdict(
        id=cell.grade_id,
        title=cell.display_title,
        max_points=cell.points,
        hidden=cell.hidden,
        passed=not failure,
        points=0.0 if failure else cell.points,
        message=(cell.failure_message or failure) if failure else passed_message,
    )
    return result, {name: values[name] for name in values if name in _sealed_names(cell)}


def _failure_message(cell: SpecCell, outcome: CellOutcome, execution: ExecutionResult) -> str:
    if outcome.status == "ok":
        return ""
    if outcome.status == "timeout":
        return f"Timed out: the test ran longer than its limit of {execution_limit(execution)}."
    if outcome.status == "no_reply":
        return "The kernel did not answer for this test."
    if outcome.status == "dead":
        return (
            "The kernel stopped while this test ran: it hit the memory or CPU limit, or the "
            "code ended the process."
        )
    if outcome.status == "not_run":
        if execution.startup_error:
            return "Not run: the notebook kernel could not start."
        if "deadline" in execution.limits_hit:
            return "Not run: the whole notebook ran out of time before this test."
        return "Not run: the kernel had stopped earlier (see the tests above)."
    if outcome.ename == "AssertionError":
        return f"The test failed: {outcome.evalue}" if outcome.evalue else "The test failed."
    if outcome.ename:
        return f"The test raised {outcome.ename}: {_short(outcome.evalue)}"
    return "The test produced an error."


def execution_limit(execution: ExecutionResult) -> str:
    return "the time limit" if "deadline" in execution.limits_hit else "the per-cell time limit"


def _sealed_names(cell: SpecCell) -> set[str]:
    return {c.name for c in cell.sealed if c.compare != "output"}


def _sealed_values(outcome: CellOutcome) -> dict:
    """Values the cell handed over with seal(), checked for size, depth and shape."""
    values = {}
    for item in outcome.sealed_values():
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        value = item.get("value")
        if _depth(value) > MAX_SEALED_DEPTH:
            continue
        encoded = json.dumps(value)
        if len(encoded) > MAX_SEALED_BYTES:
            continue
        # Plain JSON types: a dict read from the kernel's message is an nbformat NotebookNode,
        # and an exact check compares types, against an expected value that, stored with the
        # lab and read back, is a plain dict.
        values[item["name"][:100]] = json.loads(encoded)
    return values


def _depth(value, level: int = 0) -> int:
    if level > MAX_SEALED_DEPTH:
        return level
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    return level


def _sealed_failure(cell: SpecCell, outcome: CellOutcome, values: dict) -> str:
    for check in cell.sealed:
        if check.compare == "output":
            if outcome.text.strip() != str(check.expected or "").strip():
                return "The output is not what the lab expects."
            continue
        if check.name not in values:
            return f"`{check.name}` was not handed in (seal was not called)."
        if not compare(check, values[check.name]):
            got = _short(repr(values[check.name]))
            return f"`{check.name}` is not what the lab expects (got {got})."
    return ""


def compare(check: SealedCheck, value) -> bool:
    """Compare a sealed value with its expected value; never raises."""
    try:
        return _COMPARISONS[check.compare](check, value)
    except (TypeError, ValueError, KeyError):
        return False


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _close(check: SealedCheck, value, expected) -> bool:
    if _is_number(value) and _is_number(expected):
        return math.isclose(value, expected, rel_tol=check.rel_tol, abs_tol=check.abs_tol)
    if isinstance(value, list) and isinstance(expected, list) and len(value) == len(expected):
        return all(_close(check, v, e) for v, e in zip(value, expected, strict=True))
    return _exact(value, expected)


def _exact(value, expected) -> bool:
    if _is_number(value) and _is_number(expected):
        return value == expected
    return type(value) is type(expected) and value == expected


def _as_set(items) -> set[str]:
    return {json.dumps(i, sort_keys=True) for i in items}


_COMPARISONS = {
    "exact": lambda c, v: _exact(v, c.expected),
    "tolerance": lambda c, v: _close(c, v, c.expected),
    "sequence": lambda c, v: isinstance(v, list) and _close(c, v, c.expected),
    "set": lambda c, v: isinstance(v, list) and _as_set(v) == _as_set(c.expected),
    "range": lambda c, v: (
        _is_number(v) and (c.low is None or v >= c.low) and (c.high is None or v <= c.high)
    ),
}


def _short(text: str, limit: int = 300) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
