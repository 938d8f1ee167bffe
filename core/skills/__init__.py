"""The skill catalog and the skill matrix: skills, rubrics, targets per career stage,
assessments, evidence and review requests (DESIGN.md puts them in `core`).

The models belong to the `core` app (core/models.py imports them); `ready()` is called from
`CoreConfig.ready()` and registers the home panels, the demo seeder, core's own suggestion and
the person page's skills section.
"""


def ready() -> None:
    from core import dashboard, person_sections
    from core import demo as core_demo
    from core.skills import demo, selectors, suggestions

    dashboard.register_panel(
        dashboard.Panel(
            key="core.skills",
            title="Your skills",
            template="skills/panels/skills.html",
            get_context=selectors.skills_panel_context,
            order=10,
        )
    )
    dashboard.register_panel(
        dashboard.Panel(
            key="core.team-skills",
            title="Your team's skills",
            template="skills/panels/team_skills.html",
            get_context=selectors.team_skills_panel_context,
            order=10,
            role=dashboard.MANAGER,
        )
    )
    core_demo.register_seeder(demo.seed_skills)
    suggestions.register_gap_suggester(suggestions.ask_someone_strong)
    person_sections.register_section(
        person_sections.Section(
            key="core.skills",
            title="Skills",
            template="skills/person/skills.html",
            get_context=selectors.person_skills_section,
            order=10,
        )
    )
