"""The skill catalog and the skill matrix: skills, rubrics, targets per career stage,
assessments, evidence and review requests (DESIGN.md puts them in `core`).

The models belong to the `core` app (core/models.py imports them); `ready()` is called from
`CoreConfig.ready()` and registers the home panel, the demo seeder and core's own suggestion.
"""


def ready() -> None:
    from core import dashboard
    from core import demo as core_demo
    from core.skills import demo, selectors, suggestions

    dashboard.register_panel(
        dashboard.Panel(
            key="core.skills",
            title="Skills",
            template="skills/panels/skills.html",
            get_context=selectors.skills_panel_context,
            order=30,
        )
    )
    core_demo.register_seeder(demo.seed_skills)
    suggestions.register_gap_suggester(suggestions.ask_someone_strong)
