"""The kernel forked from the zygote behaves as ipykernel does for what notebooks use.

The zygote's kernels run cells in IPython's shell and send Jupyter's output messages over a
socket (labs/zygote.py), not through ipykernel: these are the kernel features that course
notebooks rely on, each as a notebook would show it.
"""

import pytest

from labs import executor
from tests.conftest import skip_or_fail
from tests.labs.conftest import forked_from_a_zygote


@pytest.fixture(scope="module", autouse=True)
def _zygote():
    if not executor.bubblewrap_works():
        skip_or_fail("bubblewrap cannot create a sandbox here (Debian: apt-get install bubblewrap)")
    with forked_from_a_zygote():
        yield
        assert executor._zygote is not None, "the runs were not forked from a zygote"


def run(*cells: str) -> executor.ExecutionResult:
    result = executor.execute(list(cells), executor.Limits())
    assert not result.startup_error, result.startup_error
    return result


def kinds(outcome) -> list:
    return [
        (o["output_type"], sorted(o["data"]) if "data" in o else o.get("name", o.get("ename")))
        for o in outcome.outputs
    ]


def test_figures_come_back_as_images_with_and_without_the_magic():
    result = run(
        "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3]);",
        "%matplotlib inline\nfig, ax = plt.subplots()\nax.bar([1, 2], [3, 4])\nplt.show()",
    )
    for outcome in result.cells:
        assert outcome.status == "ok", outcome
        assert ("display_data", ["image/png", "text/plain"]) in kinds(outcome)


def test_results_streams_and_rich_displays_are_jupyters_outputs():
    result = run(
        "import sys\nprint('out')\nprint('err', file=sys.stderr)\n6 * 7",
        "import pandas as pd\npd.DataFrame({'a': [1, 2]})",
        "!echo from-a-shell",
    )
    first, frame, shell = result.cells
    assert kinds(first) == [
        ("stream", "stdout"), ("stream", "stderr"), ("execute_result", ["text/plain"]),
    ]  # fmt: skip
    assert first.text == "out\n42\n"
    assert first.outputs[-1]["execution_count"] == 1
    assert kinds(frame) == [("execute_result", ["text/html", "text/plain"])]
    assert "from-a-shell" in shell.text


def test_a_display_updated_or_cleared_ends_as_a_notebook_shows_it():
    result = run(
        "from IPython.display import display, clear_output\n"
        "handle = display('first', display_id=True)\n"
        "display('gone')\nclear_output(wait=True)\ndisplay('kept')",
        "handle.update('updated')",
    )
    shown = [o["data"]["text/plain"] for o in result.cells[0].outputs]
    assert shown == ["'kept'"]  # cleared when the next output came
    assert result.cells[1].outputs == []

    updated = run(
        "from IPython.display import display\nhandle = display('first', display_id=True)",
        "handle.update('updated')",
    )
    assert updated.cells[0].outputs[0]["data"]["text/plain"] == "'updated'"


def test_errors_input_and_exit_end_as_in_a_kernel():
    result = run(
        "1 / 0",
        "input('Your name? ')",
        "import warnings\nwarnings.warn('careful')\n'still here'",
        "exit()",
        "print('never')",
    )
    division, asking, warned, leaving, after = result.cells
    assert (division.status, division.ename) == ("error", "ZeroDivisionError")
    assert division.outputs[0]["output_type"] == "error"
    assert "1 / 0" in "".join(division.outputs[0]["traceback"])
    assert asking.ename == "StdinNotImplementedError"
    assert "cannot ask for input" in asking.evalue
    assert warned.status == "ok" and "careful" in "".join(o.get("text", "") for o in warned.outputs)
    assert leaving.status == "ok"
    assert after.status == "dead" and result.kernel_died


def test_top_level_await_runs():
    result = run("import asyncio\nawait asyncio.sleep(0)\n'awaited'")
    assert result.cells[0].status == "ok", result.cells[0]
    assert result.cells[0].text == "'awaited'\n"
