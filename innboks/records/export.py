"""Writing what a records search found: JSON lines, CSV, or one PDF/A document for an innsyn reply.

Every format carries the same rows (one per revision, innboks/records/search.py) with the marks for
screening. With ``redact_pii`` the texts are masked first (innboks/records/redact.py) and the
export says how many of each kind were masked. The PDF is rendered like the archive's documents
(innboks/domain/conversation_pdf.py: WeasyPrint, PDF/A-2b, DejaVu Sans embedded): a cover page with the
request, the filters, who exported and when, what was masked and what is marked for screening; then
each thread, in the order of its first message, with every message and all its revisions.

An export holds personal data by nature (names, texts); it is handled like the store itself.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import TextIO

from sqlalchemy.engine import Engine

from innboks.db.audit import audit
from innboks.domain.bidi import isolated
from innboks.domain.conversation_pdf import STYLE, local_time, pdfa_bytes
from innboks.domain.permalinks import safe_permalink
from innboks.records.redact import redact
from innboks.records.search import FIELDS, RecordFilter, RecordRow

FORMATS = ("json", "csv", "pdf")

PLATFORMS = {"facebook": "Facebook", "instagram": "Instagram", "x": "X", "linkedin": "LinkedIn",
             "youtube": "YouTube", "mastodon": "Mastodon", "bluesky": "Bluesky"}
KINDS = {"comment": "kommentar", "reply": "svar", "mention": "omtale", "direct_message": "direktemelding",
         "post": "innlegg"}
EVENTS = {"created": "opprinnelig", "edited": "redigert", "hidden": "skjult", "deleted": "slettet"}
PII = {"fodselsnummer": "fødselsnummer", "d_nummer": "D-nummer", "bank_account": "kontonummer",
       "phone": "telefonnummer", "email": "e-postadresse"}
MODERATION = {"personal_attack": "personangrep", "third_party": "tredjeperson nevnt", "unlawful": "ulovlig innhold",
              "personal_data": "personopplysninger"}


@dataclass(frozen=True)
class ExportRequest:
    """Who asked for what: shown on the PDF's cover page and written to the audit log."""

    query: RecordFilter
    exported_by: str
    exported_at: datetime
    request: str | None = None
    redact_pii: bool = False
    municipality: str = ""
    account_names: dict[str, str] = field(default_factory=dict)


@dataclass
class ExportStats:
    messages: int = 0
    revisions: int = 0
    threads: int = 0
    flagged: int = 0
    screened: int = 0
    redacted: Counter[str] = field(default_factory=Counter)

    def audit_details(self) -> dict[str, object]:
        return {"messages": self.messages, "revisions": self.revisions, "threads": self.threads,
                "flagged": self.flagged, "screened": self.screened, "redacted": dict(sorted(self.redacted.items()))}


def prepared(rows: Iterable[RecordRow], redact_pii: bool, stats: ExportStats) -> Iterator[RecordRow]:
    """The rows as exported (masked if asked), counted into ``stats``."""
    messages: set[str] = set()
    flagged: set[str] = set()
    screened: set[str] = set()
    threads: set[str] = set()
    for row in rows:
        if redact_pii:
            row.text, found = redact(row.text)
            row.redacted = dict(sorted(found.items()))
            stats.redacted.update(found)
        messages.add(row.id)
        threads.add(row.conversation_key)
        if row.flagged:
            flagged.add(row.id)
        if row.screened:
            screened.add(row.id)
        stats.revisions += 1
        stats.messages, stats.threads, stats.flagged, stats.screened = (len(messages), len(threads), len(flagged),
                                                                        len(screened))
        yield row


def write_json_lines(rows: Iterable[RecordRow], out: TextIO) -> None:
    for row in rows:
        out.write(json.dumps(row.as_json(), ensure_ascii=False) + "\n")


def write_csv(rows: Iterable[RecordRow], out: TextIO, redacted_column: bool) -> None:
    columns = list(FIELDS) + (["redacted"] if redacted_column else [])
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        values = row.as_json()
        writer.writerow([_csv_value(values.get(column)) for column in columns])


def _csv_value(value: object) -> object:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}:{v}" for k, v in value.items())
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


# --- PDF -------------------------------------------------------------------------------------

_RECORDS_STYLE = """
.cover { page-break-after: always; }
.notice { border: 1px solid #999; padding: 2mm 3mm; font-size: 9pt; margin-top: 6mm; }
h2.thread { page-break-after: avoid; border-bottom: 1px solid #bbb; padding-bottom: 1mm; }
.message { page-break-inside: avoid; }
.flag { border: 1px solid #900; color: #900; padding: 0.5mm 2mm; margin: 1mm 0; font-size: 8.5pt; }
ol.revisions { margin: 1mm 0 0 0; padding-left: 0; list-style: none; }
.context { color: #555; }
ol.revisions li { margin-bottom: 1.5mm; }
.rev { font-size: 8.5pt; color: #444; }
.gone .text { color: #555; }
"""


def _period(query: RecordFilter) -> str:
    if query.since is None and query.until is None:
        return "hele perioden"
    start = f"fra {local_time(query.since)}" if query.since else "fra første melding"
    end = f"til {local_time(query.until)} (ikke medregnet)" if query.until else "til siste melding"
    return f"{start} {end}"


def _counts(counter: Counter[str], names: dict[str, str]) -> str:
    return ", ".join(f"{names.get(kind, kind)}: {number}" for kind, number in sorted(counter.items()))


def _cover(export: ExportRequest, stats: ExportStats, flags: Counter[str]) -> str:
    query = export.query
    accounts = ", ".join(export.account_names.get(a, a) for a in query.accounts) or "alle kontoer"
    rows = [
        ("Kommune", export.municipality),
        ("Innsynskrav", isolated(export.request) if export.request else "(ikke oppgitt)"),
        ("Kontoer", accounts),
        ("Periode (meldingen skrevet)", _period(query)),
        ("Ord i teksten", isolated(query.text) if query.text else "(alle meldinger)"),
        ("Avsender", isolated(query.author) if query.author else "(alle avsendere)"),
        ("Hele tråder", "ja: også de andre meldingene i trådene som ble funnet" if query.whole_threads else "nei"),
        ("Eksportert av", isolated(export.exported_by)),
        ("Eksportert", local_time(export.exported_at)),
        ("Omfang", f"{stats.threads} tråder, {stats.messages} meldinger, {stats.revisions} versjoner"),
    ]
    if export.redact_pii:
        rows.append(("Personopplysninger maskert", _counts(stats.redacted, PII) or "ingen funnet"))
    else:
        rows.append(("Personopplysninger maskert", "nei (teksten er som mottatt)"))
    rows.append(("Merket for skjermingsvurdering",
                 f"{stats.flagged} meldinger" + (f" ({_counts(flags, {})})" if flags else "")))
    meta = "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in rows)
    return (
        '<div class="cover"><h1>Innsyn: meldinger på kommunens kontoer i sosiale medier</h1>'
        f'<table class="meta">{meta}</table>'
        '<p class="notice">Utskriften viser hver melding med alle versjonene Innboks har sett (redigert, skjult, '
        "slettet), tråd for tråd. Den inneholder personopplysninger. Meldinger merket «Vurder skjerming» har "
        "personopplysninger, moderasjonsmerking eller hører til en sak som er skjermet i arkivet: vurder "
        "unntak etter offentleglova før utlevering.</p></div>"
    )


def _flags(row: RecordRow) -> list[str]:
    marks = []
    if row.pii:
        marks.append("personopplysninger (" + ", ".join(PII.get(p, p) for p in row.pii) + ")")
    if row.moderation:
        marks.append("moderering (" + ", ".join(MODERATION.get(m, m) for m in row.moderation) + ")")
    if row.screened:
        basis = f", {row.legal_basis}" if row.legal_basis else ""
        marks.append(f"skjermet sak i arkivet ({', '.join(row.screening_reasons)}{basis})")
    return marks


def _message(revisions: list[RecordRow]) -> str:
    first, last = revisions[0], revisions[-1]
    ours = " (kommunens konto)" if first.from_account else ""
    who = escape(isolated(first.author_name or "Ukjent avsender")) + ours
    url = safe_permalink(first.platform, first.permalink)
    link = f' · <a href="{escape(url)}">lenke</a>' if url else ""
    context = "" if first.matched else " · (sammenheng, ikke treff)"
    header = (f'<div class="who">{who} · {local_time(first.created_at)} · {KINDS.get(first.kind, first.kind)} · '
              f"{escape(first.id)}{link}{context}</div>")
    marks = sorted({mark for row in revisions for mark in _flags(row)})
    flag = f'<div class="flag">Vurder skjerming: {escape("; ".join(marks))}</div>' if marks else ""
    if len(revisions) == 1:
        body = _text(first)
    else:
        items = "".join(
            f'<li><span class="rev">Versjon {row.revision}: {EVENTS.get(row.event, row.event)}, sett '
            f"{local_time(row.observed_at)}</span>{_text(row)}</li>" for row in revisions)
        body = f'<ol class="revisions" start="0">{items}</ol>'
    css = "message" + (" ours" if first.from_account else "") + (" gone" if last.event in ("hidden", "deleted") else "")
    return f'<div class="{css}">{header}{flag}{body}</div>'


def _text(row: RecordRow) -> str:
    if row.text is None:
        return '<div class="text"><em>(ingen tekst)</em></div>'
    return f'<div class="text">{escape(isolated(row.text))}</div>'


def render_html(rows: list[RecordRow], export: ExportRequest, stats: ExportStats) -> str:
    """The whole document as HTML: cover page, then thread by thread."""
    threads: dict[str, dict[str, list[RecordRow]]] = {}
    flags: Counter[str] = Counter()
    for row in rows:
        threads.setdefault(row.conversation_key, {}).setdefault(row.id, []).append(row)
    for thread in threads.values():
        for revisions in thread.values():
            marked = {p for r in revisions for p in r.pii}
            flags.update(PII.get(p, p) for p in marked)
            if any(r.moderation for r in revisions):
                flags["moderering"] += 1
            if any(r.screened for r in revisions):
                flags["skjermet sak"] += 1
    parts = [_cover(export, stats, flags)]
    for number, (key, thread) in enumerate(threads.items(), start=1):
        first = next(iter(thread.values()))[0]
        account = export.account_names.get(first.account_id, first.account_id)
        conversation = key.split(":", 2)[-1]
        parts.append(f'<h2 class="thread">Tråd {number}: {PLATFORMS.get(first.platform, first.platform)} · '
                     f"{escape(account)} · samtale {escape(conversation)}</h2>")
        parts.extend(_message(revisions) for revisions in thread.values())
    if not threads:
        parts.append("<p>Ingen meldinger samsvarer med utvalget.</p>")
    return (f'<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8"><title>Innsyn: meldinger i sosiale medier'
            f"</title><style>{STYLE}{_RECORDS_STYLE}</style></head><body>{''.join(parts)}</body></html>")


def render_pdf(rows: Iterable[RecordRow], export: ExportRequest, stats: ExportStats) -> bytes:
    """The PDF/A-2b bytes of the export (the rows are counted into ``stats`` first: the cover needs them)."""
    kept = list(prepared(rows, export.redact_pii, stats))
    return pdfa_bytes(render_html(kept, export, stats))


def write_text(rows: Iterable[RecordRow], export: ExportRequest, format: str, out: TextIO,
               stats: ExportStats) -> None:
    """JSON lines or CSV of the rows (masked if asked), counted into ``stats``."""
    kept = prepared(rows, export.redact_pii, stats)
    if format == "csv":
        write_csv(kept, out, export.redact_pii)
    else:
        write_json_lines(kept, out)


def audit_export(engine: Engine, actor: str, export: ExportRequest, format: str, stats: ExportStats) -> None:
    """One ``records_export`` entry: the filters (whether words were searched, not the words), the counts."""
    query = export.query
    details: dict[str, object] = {
        "format": format, "accounts": list(query.accounts),
        "since": query.since.isoformat() if query.since else None,
        "until": query.until.isoformat() if query.until else None,
        "text_filter": query.text is not None, "author_filter": query.author is not None,
        "whole_threads": query.whole_threads, "redact_pii": export.redact_pii, **stats.audit_details(),
    }
    with engine.begin() as connection:
        audit(connection, actor, "records_export", (export.request or "")[:200] or None, details)
