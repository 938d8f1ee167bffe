"""The lab content that ships with Cultivate, loaded into labs/ by `seed_demo`."""

import logging
from pathlib import Path

from labs.services import LabImportError, lab_import
from labs.spec import LabFormatError

LABS_DIR = Path(__file__).resolve().parent / "labs"
logger = logging.getLogger(__name__)


def lab_folders() -> list[Path]:
    return sorted(p for p in LABS_DIR.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def seed_labs(*, stdout) -> None:
    """Import (and validate in the sandbox) every shipped lab; already imported ones are kept."""
    for folder in lab_folders():
        try:
            version = lab_import(path=folder)
        except (LabFormatError, LabImportError) as error:
            stdout.write(f"  lab {folder.name}: NOT imported: {error}")
            continue
        except Exception as error:  # noqa: BLE001 - a broken kernel env must not stop the demo
            logger.exception("importing %s failed", folder)
            stdout.write(f"  lab {folder.name}: NOT imported ({error.__class__.__name__}): {error}")
            continue
        stdout.write(f"  lab {version.lab.slug}: version {version.number} ready")
