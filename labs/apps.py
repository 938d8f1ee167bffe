from django.apps import AppConfig


class LabsConfig(AppConfig):
    name = "labs"
    verbose_name = "Labs"

    def ready(self) -> None:
        from core.dashboard import Panel, register_panel
        from core.health import register_component
        from labs.notices import sandbox_panel_context, sandbox_state
        from labs.selectors import labs_panel_context

        register_panel(
            Panel(
                key="labs.recent",
                title="Labs",
                template="labs/panels/labs.html",
                get_context=labs_panel_context,
                order=40,
            )
        )
        register_panel(
            Panel(
                key="labs.sandbox",
                title="Grading sandbox",
                template="labs/panels/sandbox.html",
                get_context=sandbox_panel_context,
                order=0,  # an operator's warning goes first
            )
        )
        register_component("sandbox", sandbox_state)
        _fork_kernels_in_workers()


def _fork_kernels_in_workers() -> None:
    """Grading workers fork each run's kernel from a warm zygote (labs.executor), and stop it
    as they stop: a pool process ends without running `atexit`."""
    from celery.signals import (
        worker_init,
        worker_process_init,
        worker_process_shutdown,
        worker_shutdown,
    )

    from labs import executor

    def want(**_kwargs) -> None:
        executor.want_zygote()

    def stop(**_kwargs) -> None:
        executor.stop_zygote()

    worker_init.connect(want, weak=False)
    worker_process_init.connect(want, weak=False)
    worker_process_shutdown.connect(stop, weak=False)
    worker_shutdown.connect(stop, weak=False)
