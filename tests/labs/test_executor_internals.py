"""The private parts of nbclient, jupyter_client and IPython that the executor extends are there.

The executor overrides or reaches into a few of them (pyproject.toml pins the releases it was
written against). An upgrade that renames or reshapes one would otherwise show as timeouts or
lost outputs deep in a grading run; here it fails by name.
"""

import inspect
import json
import subprocess

import jupyter_client
import nbclient
from jupyter_client import AsyncKernelClient, AsyncKernelManager
from nbclient import NotebookClient

from labs import executor


def parameters(function) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_nbclient_reply_wait_and_output_reader_keep_their_shape():
    # CappedNotebookClient._async_poll_for_reply calls the original with these arguments.
    assert parameters(NotebookClient._async_poll_for_reply) == [
        "self",
        "msg_id",
        "cell",
        "timeout",
        "task_poll_output_msg",
        "task_poll_kernel_alive",
    ]
    # `_stop_output_reader` finds nbclient's IOPub reader task by this coroutine's name.
    assert inspect.iscoroutinefunction(NotebookClient._async_poll_output_msg)
    assert NotebookClient._async_poll_output_msg.__qualname__.endswith("._async_poll_output_msg")
    # The output hook the cap is applied in.
    assert parameters(NotebookClient.output) == ["self", "outs", "msg", "display_id", "cell_index"]


def test_jupyter_client_channel_and_launch_hooks_are_there():
    client = AsyncKernelClient()
    # `_fresh_iopub` drops the IOPub channel so that the property connects a new one.
    assert hasattr(client, "_iopub_channel")
    assert "_iopub_channel" in inspect.getsource(type(client).iopub_channel.fget)
    # SandboxedKernelManager keeps the launched process after jupyter_client's launch.
    assert inspect.iscoroutinefunction(AsyncKernelManager._async_launch_kernel)


def test_the_pinned_releases_are_the_ones_installed():
    assert nbclient.__version__.startswith("0.11.")
    assert jupyter_client.__version__.startswith("8.10.")


# What labs/zygote.py's kernel takes from IPython, in the kernel environment
# (labs/kernel-requirements.txt), as ipykernel 7 does: its shell is made and run the same way.
IPYTHON_HOOKS = """
import inspect, json
from IPython.core import displayhook, displaypub, interactiveshell
shell = interactiveshell.InteractiveShell
print(json.dumps({
    "asyncio runner": interactiveshell._asyncio_runner is not None,
    "shell": [hasattr(shell, name) for name in (
        "run_cell", "run_cell_async", "should_run_async", "transform_cell", "user_expressions",
        "_showtraceback", "enable_matplotlib")],
    "run_cell_async": [p in inspect.signature(shell.run_cell_async).parameters
                       for p in ("transformed_cell", "preprocessing_exc_tuple")],
    "displayhook": [hasattr(displayhook.DisplayHook, name) for name in (
        "start_displayhook", "write_output_prompt", "write_format_data",
        "finish_displayhook", "prompt_count")],
    "display_pub": [hasattr(displaypub.DisplayPublisher, name)
                    for name in ("publish", "clear_output", "_validate_data")],
}))
"""


def test_the_ipython_hooks_the_forked_kernel_uses_are_there():
    found = json.loads(
        subprocess.run(  # noqa: S603 - our own program
            [executor.kernel_python(), "-c", IPYTHON_HOOKS],
            capture_output=True, text=True, check=True, timeout=60,
        ).stdout
    )  # fmt: skip
    assert found["asyncio runner"]
    for part in ("shell", "run_cell_async", "displayhook", "display_pub"):
        assert all(found[part]), (part, found[part])
