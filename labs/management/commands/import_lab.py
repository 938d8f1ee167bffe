from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from labs.services import LabImportError, lab_import
from labs.spec import LabFormatError


class Command(BaseCommand):
    help = (
        "Import a lab (a notebook, or a folder with one notebook and an optional lab.toml/"
        "lab.json/lab.yaml) as a new immutable version, after validating it in the sandbox."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--format", default="auto", choices=["auto", "native", "nbgrader", "otter"]
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="store the version even if validation finds problems (kept in its report)",
        )

    def handle(self, *args, path: Path, format: str, force: bool, **options) -> None:
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        try:
            version = lab_import(path=path, fmt=format, force=force)
        except LabFormatError as error:
            lines = "\n".join(f"  - {e}" for e in error.errors)
            raise CommandError(f"{path} is not a valid lab:\n{lines}") from None
        except LabImportError as error:
            raise CommandError(f"{error}\nreport: {error.report}") from None
        report = version.validation
        self.stdout.write(
            self.style.SUCCESS(f"Imported {version} ({version.source_format}); ")
            + f"reference {report.get('reference_scores')}, release {report.get('release_score')}"
            + f" of {report.get('max_score')}, sandbox {report.get('sandbox')}"
            + (f"; PROBLEMS: {report.get('problems')}" if report.get("problems") else "")
        )
