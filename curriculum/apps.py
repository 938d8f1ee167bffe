from django.apps import AppConfig


class CurriculumConfig(AppConfig):
    name = "curriculum"
    verbose_name = "Curriculum"

    def ready(self) -> None:
        from core.demo import register_seeder
        from curriculum.content import seed_labs

        register_seeder(seed_labs)
