"""The private parts of nbclient and jupyter_client that labs.executor extends are still there.

The executor overrides or reaches into a few of them (pyproject.toml pins the releases it was
written against). An upgrade that renames or reshapes one would otherwise show as timeouts or
lost outputs deep in a grading run; here it fails by name.
"""

import inspect

import jupyter_client
import nbclient
from jupyter_client import AsyncKernelClient, AsyncKernelManager
from jupyter_client.provisioning import KernelProvisionerBase
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
    # The zygote's kernels start through the public provisioner interface: every abstract
    # method is implemented.
    assert not executor.ZygoteProvisioner.__abstractmethods__
    assert KernelProvisionerBase.__abstractmethods__ <= set(vars(executor.ZygoteProvisioner))


def test_the_pinned_releases_are_the_ones_installed():
    assert nbclient.__version__.startswith("0.11.")
    assert jupyter_client.__version__.startswith("8.10.")
