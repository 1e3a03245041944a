"""Archive packages on disk: one directory per case, written atomically and never overwritten.

Layout of ``OUT/<case_id>/``:

- ``arkivmelding.xml``: the Fiks Arkiv V1 create message (validated before it is written);
- ``samtale.pdf``: the conversation as PDF/A-2b (the main document the XML describes);
- ``case.json``: the ``CaseForward`` event as received;
- ``endringer/NNNN-<event>.json`` and ``.pdf``: later changes of the inquiry (edited, hidden,
  deleted), appended in revision order; the original stays as it was.

A package is assembled in ``OUT/.tmp-*``, every file and the directory fsynced, then renamed into
place (atomic on one file system) and the parent directory fsynced. A case whose directory exists is
skipped, so processing a case twice yields one package. Leftover temporary directories of a killed
writer are removed at start.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from connectors.archive.arkivmelding import Document, build
from innboks.domain.conversation_pdf import render_change_pdf, render_pdf
from schemas import CaseForward

PDF_NAME = "samtale.pdf"
CHANGES_DIR = "endringer"
ORPHANS_DIR = ".orphans"
_TMP_PREFIX = ".tmp-"


class Outcome(StrEnum):
    WRITTEN = "written"
    EXISTS = "exists"
    CHANGE_WRITTEN = "change_written"
    CHANGE_EXISTS = "change_exists"
    ORPHAN_CHANGE = "orphan_change"


@dataclass(frozen=True)
class ArchiveWriter:
    out: Path
    municipality: str

    def prepare(self) -> int:
        """Create the output directory; remove what a killed writer left half-done. Returns how many."""
        self.out.mkdir(parents=True, exist_ok=True)
        leftovers = [p for p in self.out.iterdir() if p.name.startswith(_TMP_PREFIX)]
        for leftover in leftovers:
            shutil.rmtree(leftover, ignore_errors=True)
        return len(leftovers)

    def write(self, case: CaseForward) -> Outcome:
        return self._write_case(case) if case.revision == 0 else self._write_change(case)

    def _write_case(self, case: CaseForward) -> Outcome:
        final = self.out / case.case_id
        if final.exists():
            return Outcome.EXISTS
        pdf = render_pdf(case, self.municipality, case.account_name)
        document = Document(PDF_NAME, hashlib.sha256(pdf).hexdigest(), len(pdf), datetime.now(UTC))
        xml = build(case, document, case.owning_unit)
        files = {"arkivmelding.xml": xml, PDF_NAME: pdf, "case.json": case.to_json_bytes()}
        return Outcome.WRITTEN if _publish_dir(self.out, final, files) else Outcome.EXISTS

    def _write_change(self, case: CaseForward) -> Outcome:
        assert case.change is not None, "revisions after 0 carry their change"
        package = self.out / case.case_id
        orphan = not package.exists()  # the case itself was never archived here: keep the change aside
        directory = (self.out / ORPHANS_DIR / case.case_id if orphan else package) / CHANGES_DIR
        stem = f"{case.revision:04d}-{case.change.event.value}"
        if (directory / f"{stem}.json").exists():
            return Outcome.CHANGE_EXISTS
        directory.mkdir(parents=True, exist_ok=True)
        publish_file(directory / f"{stem}.pdf", render_change_pdf(case, self.municipality))
        publish_file(directory / f"{stem}.json", case.to_json_bytes())  # last: marks the change done
        return Outcome.ORPHAN_CHANGE if orphan else Outcome.CHANGE_WRITTEN


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _publish_dir(out: Path, final: Path, files: dict[str, bytes]) -> bool:
    """Write ``files`` into ``final`` atomically; False if another writer got there first."""
    temporary = out / f"{_TMP_PREFIX}{final.name}-{uuid.uuid4().hex[:8]}"
    temporary.mkdir()
    try:
        for name, data in files.items():
            _write_synced(temporary / name, data)
        _fsync_dir(temporary)
        try:
            os.rename(temporary, final)
        except OSError:
            if final.exists():
                return False
            raise
        _fsync_dir(out)
        return True
    finally:
        if temporary.exists():
            shutil.rmtree(temporary, ignore_errors=True)


def publish_file(path: Path, data: bytes) -> None:
    temporary = path.with_name(f"{_TMP_PREFIX}{path.name}")
    _write_synced(temporary, data)
    os.replace(temporary, path)
    _fsync_dir(path.parent)
