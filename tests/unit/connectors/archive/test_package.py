"""connectors/archive/package.py: the archive writer, idempotent and atomic."""

from tests.helpers import message
from tests.unit.connectors.archive.helpers import NOW, OPEN_TEXT, SCREENED_TEXT, case_for


def test_writer_is_idempotent_cleans_leftovers_and_appends_changes(tmp_path) -> None:
    from connectors.archive.package import ArchiveWriter, Outcome
    from schemas import CaseChange, Event

    out = tmp_path / "arkiv"
    writer = ArchiveWriter(out, "Alta kommune")
    out.mkdir()
    (out / ".tmp-half-written").mkdir()
    assert writer.prepare() == 1 and not (out / ".tmp-half-written").exists()
    case = case_for(OPEN_TEXT)
    assert writer.write(case) is Outcome.WRITTEN
    original = (out / case.case_id / "arkivmelding.xml").read_bytes()
    assert writer.write(case) is Outcome.EXISTS
    assert sorted(p.name for p in (out / case.case_id).iterdir()) == ["arkivmelding.xml", "case.json", "samtale.pdf"]
    change = case.model_copy(update={"revision": 1, "change": CaseChange(
        event=Event.DELETED, message=message("q1", text=None, event=Event.DELETED), observed_at=NOW)})
    assert writer.write(change) is Outcome.CHANGE_WRITTEN
    assert writer.write(change) is Outcome.CHANGE_EXISTS
    assert (out / case.case_id / "arkivmelding.xml").read_bytes() == original
    other = case_for(SCREENED_TEXT).model_copy(update={"case_id": "00000000-0000-4000-8000-000000000000"})
    orphan = other.model_copy(update={"revision": 1, "change": change.change})
    assert writer.write(orphan) is Outcome.ORPHAN_CHANGE
    assert (out / ".orphans" / other.case_id / "endringer" / "0001-deleted.json").exists()
