from django.apps import AppConfig


class LabsConfig(AppConfig):
    name = "labs"
    verbose_name = "Labs"

    def ready(self) -> None:
        from core.dashboard import ENGINEER, MENTOR, NOTICE, STAFF, Panel, register_panel
        from core.health import register_component
        from labs import selectors
        from labs.notices import sandbox_panel_context, sandbox_state

        for key, title, order, role, context in [
            ("recent", "Your labs", 40, ENGINEER, selectors.labs_panel_context),
            ("signoff", "Waiting for your sign-off", 20, MENTOR, selectors.signoff_panel_context),
            ("health", "Grading health", 10, STAFF, selectors.grading_health_panel_context),
            (
                "attention",
                "Labs needing attention",
                20,
                STAFF,
                selectors.labs_attention_panel_context,
            ),
        ]:
            register_panel(
                Panel(
                    key=f"labs.{key}",
                    title=title,
                    template=f"labs/panels/{key}.html",
                    get_context=context,
                    order=order,
                    role=role,
                )
            )
        register_panel(
            Panel(
                key="labs.sandbox",
                title="Grading sandbox",
                template="labs/panels/sandbox.html",
                get_context=sandbox_panel_context,
                role=NOTICE,  # an operator's warning goes first
            )
        )
        register_component("sandbox", sandbox_state)
        _register_person_section()
        _fork_kernels_in_workers()
        _register_personal_data()


def _register_person_section() -> None:
    """A person's page: the labs they tried, with their attempts, status and scores."""
    from core.person_sections import Section, register_section
    from labs import selectors

    register_section(
        Section(
            key="labs.labs",
            title="Labs",
            template="labs/person/labs.html",
            get_context=selectors.person_labs_section,
            order=50,
        )
    )


def _register_personal_data() -> None:
    from core.privacy import register_personal_data
    from labs import privacy

    register_personal_data("labs", privacy.export_labs, privacy.erase_labs)


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
