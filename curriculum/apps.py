from django.apps import AppConfig


class CurriculumConfig(AppConfig):
    name = "curriculum"
    verbose_name = "Curriculum"

    def ready(self) -> None:
        from core.demo import register_seeder
        from core.people_filters import register_people_filter
        from core.skills.suggestions import register_gap_suggester
        from curriculum import demo, selectors, suggestions
        from curriculum.content import seed_labs

        register_seeder(seed_labs)
        register_seeder(demo.seed_paths)  # after the labs: steps link to them
        register_gap_suggester(suggestions.suggest_labs_and_modules)
        register_people_filter("path", "Path", selectors.path_choices, selectors.people_enrolled_in)
