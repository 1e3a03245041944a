"""Bidirectional controls in user text (#24, item 6): isolated, and overrides shown instead of obeyed.

``"\u202enimda\u202c"`` showed as "admin" in the inbox and in the PDF. Every piece of user text the
pages show is in a ``<bdi>`` (the test fills every field it knows with such text and looks at each
place it appears), no raw override reaches a page, and the PDF documents show the override.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import lxml.html
import pytest
from pypdf import PdfReader
from starlette.testclient import TestClient

from innboks.config import topics
from innboks.db.engine import open_store
from innboks.db.schema import message_revisions, messages
from innboks.domain.bidi import isolated, shown
from innboks.domain.conversation_pdf import render_pdf
from innboks.records.export import ExportRequest, ExportStats
from innboks.records.export import render_pdf as render_records_pdf
from innboks.records.retention import place_hold
from innboks.records.search import RecordFilter, search
from innboks.store.projection import apply
from innboks.web.auth import AuthConfig
from innboks.web.users import add_user
from innboks.webapp import create_app
from schemas import Category, ControlEvent
from tests.helpers import PAGE_ID
from tests.inbox_data import add_inquiry, registry
from tests.staff_web import signed_in
from tests.unit.connectors.archive.helpers import case_for

RLO, PDF = "\u202e", "\u202c"
PASSWORD = "hemmelig-passord"


def spoof(word: str) -> str:
    """``word`` written backwards inside a right-to-left override: it shows as ``word``, reversed twice."""
    return f"{RLO}{word[::-1]}{PDF}"


@pytest.fixture()
def app(tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    with engine.begin() as connection:
        add_inquiry(connection, "1_950", f"Hei {spoof('tekstprove')} og mer", 3, Category.GENERAL_QUESTION)
        for table in (messages, message_revisions):
            connection.execute(table.update().values(author_name=spoof("navneprove")))
        apply(connection, topics.CONTROL, ControlEvent(active=True, reason=f"Flom {spoof('krisegrunn')}",
                                                       set_by="anne", at=datetime.now(UTC)).to_json_bytes(), b"crisis")
    add_user(engine, "anne", "admin", PASSWORD, display_name=f"Anne {spoof('visningsnavn')}")
    place_hold(engine, f"Sak {spoof('holdgrunn')}", "anne", datetime.now(UTC), account_id=PAGE_ID)
    app = create_app(engine, registry(), AuthConfig(secret_key="k"))
    client = TestClient(app)
    client.auth = ("anne", PASSWORD)
    inquiry = client.get("/api/inquiries").json()[0]
    assert client.post(f"/api/inquiries/{inquiry['inquiry_id']}/assign",
                       json={"assignee": f"Kari {spoof('tildeltprove')}"}).status_code == 200
    assert client.post("/api/saved-replies", json={"title": f"Mal {spoof('tittelprove')}", "language": "nb",
                                                   "body": f"Tekst {spoof('malprove')}"}).status_code == 201
    app.key = inquiry["conversation_key"]
    yield app
    engine.dispose()


PROBES = ["tekstprove", "navneprove", "krisegrunn", "visningsnavn", "holdgrunn", "tildeltprove", "tittelprove",
          "malprove"]


def unisolated(html: str) -> list[str]:
    """Text of the page holding a probe (reversed, as stored) outside a ``<bdi>``; form fields aside."""
    tree = lxml.html.fromstring(html)
    found = []
    for element in tree.iter():
        for text, holder in ((element.text, element), (element.tail, element.getparent())):
            if not text or holder is None or not any(p[::-1] in text for p in PROBES):
                continue
            chain = [holder, *holder.iterancestors()]
            if not any(e.tag in ("bdi", "textarea", "option", "title") for e in chain):
                found.append(f"<{holder.tag}> {text.strip()[:60]!r}")
    return found


def test_every_piece_of_user_text_on_the_pages_is_isolated_and_shows_its_overrides(app) -> None:
    client, _ = signed_in(app, "anne", PASSWORD)
    pages = {path: client.get(path) for path in ("/", f"/samtale/{app.key}", "/svarmaler", "/innsyn?vis=1")}
    seen = set()
    for path, page in pages.items():
        assert page.status_code == 200, path
        assert RLO not in page.text, f"{path}: a raw right-to-left override"
        assert unisolated(page.text) == [], path
        seen.update(p for p in PROBES if p[::-1] in page.text)
        assert "[U+202E]" in page.text
    assert seen == set(PROBES)  # every probe was on some page


def test_the_pdf_documents_show_the_override_instead_of_the_spoof() -> None:
    case = case_for("Når kommer svaret på byggesøknaden?")
    spoofed = case.model_copy(update={"inquiry": case.inquiry.model_copy(update={"author_name": spoof("admin")})})
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(spoofed, "Alta kommune"))).pages)
    assert "[U+202E]nimda" in text and "admin" not in text


def test_the_innsyn_pdf_shows_the_override_too(app) -> None:
    engine = app.state.staff.engine
    stats = ExportStats()
    spec = ExportRequest(query=RecordFilter(accounts=(PAGE_ID,)), exported_by="anne", exported_at=datetime.now(UTC),
                         request=None, redact_pii=False, municipality="Alta kommune", account_names={})
    pdf = render_records_pdf(search(engine, spec.query), spec, stats)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "[U+202E]" in text and "navneprove" not in text and "tekstprove" not in text


def test_isolation_keeps_right_to_left_scripts_and_shows_only_the_overrides() -> None:
    arabic = "مرحبا بكم"
    assert shown(arabic) == arabic and isolated(arabic) == f"\u2068{arabic}\u2069"
    assert shown(spoof("admin")) == "[U+202E]nimda\u202c"
