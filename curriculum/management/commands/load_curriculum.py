from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from curriculum.loader import PATHS_DIR, PathFileError
from curriculum.services import paths_load


class Command(BaseCommand):
    help = "Load the learning paths under curriculum/paths/ (idempotent; checks every file first)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--folder", type=Path, default=PATHS_DIR, help="Where the path files (*.toml) are."
        )

    def handle(self, *args, folder: Path, **options) -> None:
        try:
            paths = paths_load(folder=folder)
        except PathFileError as error:
            raise CommandError(f"Nothing was loaded. {error}") from error
        for path in paths:
            modules = list(path.modules.all())
            steps = sum(module.steps.count() for module in modules)
            self.stdout.write(f"  {path.slug}: {len(modules)} modules, {steps} steps")
        self.stdout.write(self.style.SUCCESS(f"{len(paths)} learning paths loaded."))
