"""``innboks records``: search as JSON lines and CSV, one PDF/A per export (validated, text checked with
pdftotext), redaction, retention and holds from the command line, errors; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from innboks.cli import main
from innboks.db.engine import open_store
from innboks.db.schema import audit_log
from tests.helpers import PAGE_ID
from tests.pdfa import assert_pdfa
from tests.records_data import FNR, OTHER_PAGE, T0, comment, days, feed, project_raw, screened_case


@pytest.fixture()
def store(store_url):
    engine = open_store(store_url)
    with engine.begin() as connection:
        screened_case(connection)
        project_raw(connection, feed("5_1", "add", f"Byggesøknaden min, fnr {FNR}, ring 912 34 567", at=T0))
        project_raw(connection, feed("5_1", "edited", "Byggesøknaden min (rettet)", at=T0 + days(1), created=T0))
        project_raw(connection, feed("5_2", "add", "Vi ser på saken din i dag.", at=T0 + days(1), parent="5_1",
                                     author="Alta kommune", author_id=PAGE_ID))
        comment(connection, "5_3", "Eg ventar på svar om byggesøknaden", T0 + days(2), author="Ola Nordmann",
                author_id="4243")
        comment(connection, "5_4", "Biblioteket er stengt", T0 + days(2), account=OTHER_PAGE)
        comment(connection, "5_5", "Når opner biblioteket?", T0 + days(3), account=OTHER_PAGE)
    engine.dispose()
    return store_url


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["records", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_search_prints_json_lines_with_the_contract_fields(store, capsys) -> None:
    code, out, err = run(capsys, "search", "--store", store, "--text", "byggesøknad", "--account", PAGE_ID,
                         "--since", "2026-03-02", "--until", "2026-03-04")
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(line["id"], line["revision"], line["event"]) for line in lines] == [
        ("facebook:5_1", 0, "created"), ("facebook:5_1", 1, "edited"), ("facebook:5_3", 0, "created")]
    assert list(lines[0])[:10] == ["id", "platform", "account_id", "kind", "event", "revision", "created_at",
                                   "author_name", "text", "permalink"]
    assert lines[0]["platform"] == "facebook" and lines[0]["account_id"] == PAGE_ID
    assert lines[0]["kind"] == "comment" and lines[0]["author_name"] == "Kari Nordmann"
    assert lines[0]["created_at"] == "2026-03-02T09:00:00+00:00" and FNR in lines[0]["text"]
    assert lines[0]["pii"] == ["fodselsnummer", "phone"] and lines[1]["pii"] == []
    assert "3 revisions" in err
    engine = open_store(store)
    with engine.connect() as connection:
        entry = connection.execute(sa.select(audit_log).where(audit_log.c.action == "records_export")).one()
    assert entry.actor.startswith("cli:") and entry.details["format"] == "json"
    assert entry.details["text_filter"] is True and entry.details["revisions"] == 3
    assert "byggesøknad" not in json.dumps(entry.details, ensure_ascii=False)  # the words are not logged


def test_csv_with_redaction(store, capsys, tmp_path) -> None:
    out_file = tmp_path / "innsyn.csv"
    code, _, _ = run(capsys, "search", "--store", store, "--format", "csv", "--out", str(out_file), "--redact-pii",
                     "--author", "kari")
    assert code == 0
    text = out_file.read_text(encoding="utf-8")
    assert FNR not in text and "912 34 567" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["text"].startswith("Byggesøknaden min, fnr [fødselsnummer fjernet], ring [telefonnummer fjernet]")
    assert rows[0]["redacted"] == "fodselsnummer:1;phone:1" and rows[0]["pii"] == "fodselsnummer;phone"


def pdf_text(path) -> str:
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return result.stdout


def test_pdf_export_is_one_pdfa_with_a_cover_threads_revisions_and_marks(store, capsys, tmp_path) -> None:
    out_file = tmp_path / "innsyn.pdf"
    code, _, err = run(capsys, "search", "--store", store, "--format", "pdf", "--out", str(out_file),
                       "--account", PAGE_ID, "--request", "Innsynskrav 26/0815 fra NRK", "--exported-by", "Kari Arkiv")
    assert code == 0, err
    reader = assert_pdfa(out_file)
    assert len(reader.pages) >= 2
    text = pdf_text(out_file)
    flat = re.sub(r"\s+", " ", text)
    for expected in ("Innsyn: meldinger på kommunens kontoer", "Innsynskrav 26/0815 fra NRK", "Kari Arkiv",
                     "Eksportert", "Omfang", "3 tråder, 4 meldinger, 5 versjoner",
                     "nei (teksten er som mottatt)", "Tråd 1", "Versjon 0: opprinnelig", "Versjon 1: redigert",
                     "Byggesøknaden min (rettet)", "Vurder skjerming", "skjermet sak i arkivet",
                     "Vi ser på saken din i dag.", "(kommunens konto)"):
        assert expected in flat, expected
    assert FNR in flat  # not masked unless asked
    # Thread by thread, in order: the reply follows the question it answers.
    assert flat.index("Byggesøknaden min (rettet)") < flat.index("Vi ser på saken") < flat.index("Eg ventar")
    assert "Biblioteket" not in flat


def test_redacted_pdf_has_no_fodselsnummer_and_lists_what_was_masked(store, capsys, tmp_path) -> None:
    out_file = tmp_path / "innsyn.pdf"
    assert run(capsys, "search", "--store", store, "--format", "pdf", "--out", str(out_file), "--redact-pii")[0] == 0
    assert_pdfa(out_file)
    text = pdf_text(out_file)
    flat = re.sub(r"\s+", " ", text)
    digits = re.sub(r"\D", "", text)
    assert FNR not in digits and FNR[:6] + " " + FNR[6:] not in text
    assert "[fødselsnummer fjernet]" in flat and "fødselsnummer: 2, telefonnummer: 1" in flat
    reader = PdfReader(str(out_file))
    assert FNR not in re.sub(r"\D", "", " ".join(page.extract_text() for page in reader.pages))


def test_bad_input_is_one_line_and_a_non_zero_exit(store, capsys) -> None:
    for args, message in ((["search", "--format", "pdf"], "give --out FILE"),
                          (["search", "--text", "og i"], "no word to search for"),
                          (["search", "--since", "2026-03-05", "--until", "2026-03-01"], "ends before it starts")):
        code, _, err = run(capsys, *args, "--store", store)
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
    with pytest.raises(SystemExit) as exc:
        main(["records", "search", "--since", "i går", "--store", store])
    assert exc.value.code == 2
    assert "not a date" in capsys.readouterr().err


def test_retention_holds_and_purge_from_the_command_line(store, capsys) -> None:
    code, _, err = run(capsys, "retention", "set", OTHER_PAGE, "--keep-days", "30", "--store", store)
    assert code == 0 and err.strip() == (
        "note: innboks.actions keeps records 365 days, innboks.archive-receipts keeps records 365 days, "
        "innboks.cases keeps records 365 days, innboks.sla keeps records 90 days; a store rebuild within that time "
        "brings back what the purge deleted from them")
    assert run(capsys, "retention", "set", OTHER_PAGE, "--keep-days", "400", "--store", store)[2] == ""
    assert run(capsys, "retention", "set", OTHER_PAGE, "--keep-days", "30", "--store", store)[0] == 0
    code, out, _ = run(capsys, "retention", "list", "--store", store)
    assert out.startswith(f"{OTHER_PAGE}\t30 days\tcli:")
    code, out, _ = run(capsys, "hold", "place", "--conversation", f"facebook:{OTHER_PAGE}:5_4", "--reason",
                       "Sak 26/1", "--store", store)
    hold_id = int(re.search(r"legal hold (\d+) placed", out).group(1))
    code, out, err = run(capsys, "purge", "--store", store)
    assert code == 0 and "would delete 1 conversations" in out and "1 conversations kept by legal holds" in out
    assert "dry run" in err
    code, out, _ = run(capsys, "purge", "--apply", "--store", store)
    assert "deleted 1 conversations, 1 messages" in out
    code, out, _ = run(capsys, "search", "--store", store, "--account", OTHER_PAGE)
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["facebook:5_4"]
    assert len(run(capsys, "search", "--store", store, "--account", PAGE_ID)[1].splitlines()) == 5  # no rule: kept
    assert run(capsys, "hold", "list", "--store", store)[1].startswith(
        f"{hold_id}\tfacebook:{OTHER_PAGE}:5_4\tSak 26/1")
    assert run(capsys, "hold", "release", str(hold_id), "--store", store)[0] == 0
    code, _, err = run(capsys, "hold", "release", str(hold_id), "--store", store)
    assert code == 1 and "already released" in err
    assert "released by cli:" in run(capsys, "hold", "list", "--released", "--store", store)[1]
    assert run(capsys, "retention", "set", OTHER_PAGE, "--keep-forever", "--store", store)[0] == 0
    assert "nothing to delete" in run(capsys, "purge", "--apply", "--store", store)[1]


def test_whole_threads_bring_the_context_of_what_was_found(store, capsys) -> None:
    code, out, _ = run(capsys, "search", "--store", store, "--text", "byggesøknad", "--whole-threads",
                       "--since", "2026-03-02", "--until", "2026-03-02")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(line["id"], line["revision"], line["matched"]) for line in lines] == [
        ("facebook:5_1", 0, True), ("facebook:5_1", 1, True), ("facebook:5_2", 0, False)]
