"""The kernel environment has what course notebooks import (labs/kernel-requirements.txt), and
figures come back as images, in the sandbox that grades real submissions."""

import shutil
import tempfile
from pathlib import Path

import pytest

from labs import executor
from labs.executor import Limits
from tests.conftest import skip_or_fail

LIMITS = Limits(cell_timeout=120, total_timeout=300, memory_mb=2048, cpu_seconds=120)
PLOT = "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [3, 1, 2])\nplt.show()"


@pytest.fixture
def run(settings):
    if not executor.bubblewrap_works():
        skip_or_fail("bubblewrap cannot create a sandbox here (Debian: apt-get install bubblewrap)")
    root = Path(tempfile.mkdtemp(prefix="cultivate-kernel-env-"))
    root.chmod(0o711)  # the sandbox user must reach its run directory
    settings.LABS_RUN_DIR = str(root)
    settings.LABS_SANDBOX = "required"
    yield lambda cells: executor.execute(cells, LIMITS)
    shutil.rmtree(root, ignore_errors=True)


def images(outcome) -> list:
    return [o for o in outcome.outputs if "image/png" in o.get("data", {})]


def test_the_scientific_stack_imports(run):
    result = run(
        [
            "import numpy, pandas, scipy.stats, sklearn.linear_model, matplotlib",
            "model = sklearn.linear_model.LinearRegression().fit([[0], [1]], [0, 2])",
            "print(round(model.coef_[0], 6))",
        ]
    )

    assert [c.status for c in result.cells] == ["ok", "ok", "ok"], result.cells
    assert result.cells[2].outputs[0]["text"] == "2.0\n"


@pytest.mark.parametrize("magic", ["", "%matplotlib inline\n"], ids=["plain", "inline-magic"])
def test_a_figure_comes_back_as_an_image(run, magic):
    result = run([magic + PLOT])

    assert result.cells[0].status == "ok", result.cells[0]
    assert len(images(result.cells[0])) == 1
