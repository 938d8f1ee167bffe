from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from labs.services import LabImportError, lab_import_all
from labs.spec import LabFormatError


class Command(BaseCommand):
    help = (
        "Import labs as new immutable versions, after validating each in the sandbox: a notebook, "
        "a folder of notebooks (an nbgrader assignment, one lab per notebook) or an nbgrader "
        "course's source/ folder. Settings are optional (lab.toml/lab.json/lab.yaml beside a lone "
        "notebook, <notebook>.lab.toml beside several)."
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
            versions = lab_import_all(path=path, fmt=format, force=force)
        except LabFormatError as error:
            lines = "\n".join(f"  - {e}" for e in error.errors)
            raise CommandError(f"{path} is not a valid lab:\n{lines}") from None
        except LabImportError as error:
            raise CommandError(f"{error}\nreport: {error.report}") from None
        for version in versions:
            self._report(version)

    def _report(self, version) -> None:
        report = version.validation
        self.stdout.write(
            self.style.SUCCESS(f"Imported {version} ({version.source_format}); ")
            + f"reference {report.get('reference_scores')}, release {report.get('release_score')}"
            + f" of {report.get('max_score')}, sandbox {report.get('sandbox')}"
            + (f"; PROBLEMS: {report.get('problems')}" if report.get("problems") else "")
        )
        # The import report: what became of each cell, what was ignored and why.
        for note in version.get_spec().notes:
            self.stdout.write(f"  {note}")
