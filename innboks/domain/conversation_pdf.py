"""The conversation of a forwarded case as a PDF/A-2b document (the package's main document).

Rendered from HTML by WeasyPrint, which embeds (subsets of) the fonts and writes the PDF/A
identification and output intent. One font family everywhere (page footer included): each
family embedded costs a font subsetting pass, the bulk of the rendering time.

The text is the citizen's as received: the archive keeps the original, and screening is a matter
of access (``skjerming``), not of blacking out.

``STYLE``, ``local_time`` and ``pdfa_bytes`` are shared with the records export (innboks/records/export.py),
so an innsyn document looks like an archive document and is made the same way.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from innboks.domain.bidi import isolated
from innboks.domain.calendar import OSLO
from innboks.domain.permalinks import safe_permalink
from schemas import CaseForward, InboxMessage

PDF_VARIANT = "pdf/a-2b"

STYLE = """
@page { size: A4; margin: 20mm 18mm; @bottom-right { content: "Side " counter(page) " av " counter(pages);
        font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #555; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.4; color: #111; }
h1 { font-size: 14pt; margin: 0 0 4mm 0; }
table.meta { border-collapse: collapse; margin-bottom: 5mm; }
table.meta td { padding: 1mm 4mm 1mm 0; vertical-align: top; }
table.meta td:first-child { color: #444; white-space: nowrap; }
.screened { border: 1px solid #900; color: #900; padding: 2mm; margin-bottom: 4mm; font-weight: bold; }
.message { border-left: 3px solid #bbb; padding: 1mm 0 1mm 3mm; margin: 0 0 4mm 0; }
.message.inquiry { border-left-color: #1a5; }
.message.ours { border-left-color: #26c; }
.who { font-size: 8.5pt; color: #444; }
.text { white-space: pre-wrap; }
h2 { font-size: 11pt; margin: 6mm 0 2mm 0; }
"""


def local_time(moment: datetime) -> str:
    """A time as Norwegian documents write it, in Oslo time: 05.01.2027 kl. 09:30."""
    return moment.astimezone(OSLO).strftime("%d.%m.%Y kl. %H:%M")


def _message(message: InboxMessage, css: str, label: str) -> str:
    who = "Kommunens konto" if message.from_account else isolated(message.author_name or "Ukjent avsender")
    text = escape(isolated(message.text)) if message.text else "<em>(ingen tekst)</em>"
    url = safe_permalink(message.platform, message.permalink)
    link = f' · <a href="{escape(url)}">lenke</a>' if url else ""
    return (f'<div class="message {css}"><div class="who">{escape(label)}: {escape(who)} · '
            f'{local_time(message.created_at)} · {escape(message.id)}{link}</div><div class="text">{text}</div></div>')


def render_html(case: CaseForward, municipality: str, account_name: str | None = None) -> str:
    inquiry = case.inquiry
    rows = [
        ("Kommune", municipality),
        ("Plattform og konto", f"{inquiry.platform.value} · {account_name or inquiry.account_id}"),
        ("Mottatt", local_time(inquiry.created_at)),
        ("Videresendt", local_time(case.forwarded_at)),
        ("Saks-ID i Innboks", case.case_id),
        ("Kategori", case.triage.category.value),
    ]
    if case.triage.pii:
        rows.append(("Personopplysninger funnet", ", ".join(sorted({p.type.value for p in case.triage.pii}))))
    meta = "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in rows)
    screened = ""
    if case.screening.screened:
        screened = (f'<div class="screened">Skjermet: {escape(case.screening.legal_basis or "")} '
                    f'({escape(", ".join(case.screening.reasons))})</div>')
    context = "".join(_message(m, "ours" if m.from_account else "", "Tidligere i tråden") for m in case.conversation)
    if case.post is not None:
        context = _message(case.post, "ours", "Innlegget det kommenteres på") + context
    reply = ""
    if case.suggested_reply:
        reply = f'<h2>Foreslått svar til innbyggeren</h2><div class="text">{escape(case.suggested_reply)}</div>'
    return (
        f'<!DOCTYPE html><html lang="no"><head><meta charset="utf-8"><title>Henvendelse {case.case_id}</title>'
        f"<style>{STYLE}</style></head><body><h1>Henvendelse fra sosiale medier</h1>{screened}"
        f'<table class="meta">{meta}</table>'
        + (f"<h2>Samtalen</h2>{context}" if context else "")
        + f"<h2>Henvendelsen</h2>{_message(inquiry, 'inquiry', 'Henvendelse')}{reply}</body></html>"
    )


_CHANGE_NAMES = {"edited": "redigert", "hidden": "skjult", "deleted": "slettet"}


def render_change_html(case: CaseForward, municipality: str) -> str:
    """A later change of the inquiry, as an additional document; the original stays in the package."""
    change = case.change
    assert change is not None
    what = _CHANGE_NAMES.get(change.event.value, change.event.value)
    rows = [
        ("Kommune", municipality),
        ("Saks-ID i Innboks", case.case_id),
        ("Endring nr.", str(case.revision)),
        ("Henvendelsen ble", what),
        ("Registrert av Innboks", local_time(change.observed_at)),
    ]
    meta = "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in rows)
    body = ""
    if change.message.text:
        body = f"<h2>Teksten nå</h2>{_message(change.message, 'inquiry', 'Henvendelse')}"
    return (
        f'<!DOCTYPE html><html lang="no"><head><meta charset="utf-8"><title>Endring {case.revision} i '
        f"{case.case_id}</title><style>{STYLE}</style></head><body><h1>Endring i henvendelsen</h1>"
        f'<table class="meta">{meta}</table>{body}'
        f"<h2>Opprinnelig henvendelse</h2>{_message(case.inquiry, '', 'Mottatt')}</body></html>"
    )


def pdfa_bytes(html: str) -> bytes:
    """A self-contained HTML document as PDF/A-2b (fonts embedded, output intent, XMP identification)."""
    from weasyprint import HTML

    pdf = HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT, custom_metadata=True)
    assert pdf is not None
    return pdf


def render_pdf(case: CaseForward, municipality: str, account_name: str | None = None) -> bytes:
    """The PDF/A-2b bytes of the case's conversation."""
    return pdfa_bytes(render_html(case, municipality, account_name))


def render_change_pdf(case: CaseForward, municipality: str) -> bytes:
    """The PDF/A-2b bytes of a change (revision > 0) of the case."""
    return pdfa_bytes(render_change_html(case, municipality))
