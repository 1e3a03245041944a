"""*Innsyn* in the inbox: admins only, the same filters and exports as the command line, audited."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from innboks.db.engine import open_store
from innboks.db.schema import audit_log
from innboks.records.retention import list_holds, list_retention
from innboks.web.auth import AuthConfig
from innboks.web.users import add_user
from innboks.webapp import create_app
from tests.helpers import PAGE_ID
from tests.inbox_data import registry
from tests.pdfa import assert_pdfa
from tests.records_data import FNR, OTHER_PAGE, T0, comment, days, feed, project_raw
from tests.staff_web import signed_in

PASSWORD = "hemmelig-passord"


@pytest.fixture()
def client(store_url):
    engine = open_store(store_url)
    with engine.begin() as connection:
        project_raw(connection, feed("7_1", "add", f"Byggesøknaden min, fnr {FNR}", at=T0))
        project_raw(connection, feed("7_1", "edited", "Byggesøknaden min", at=T0 + days(1), created=T0))
        comment(connection, "7_2", "Eg ventar på byggesøknadene", T0 + days(2), author="Ola Nordmann",
                author_id="4243")
        comment(connection, "7_3", "Byggesøknad for biblioteket", T0 + days(2), account=OTHER_PAGE)
    add_user(engine, "anne", "admin", PASSWORD)
    add_user(engine, "kari", "operator", PASSWORD)
    add_user(engine, "kultur", "admin", PASSWORD, units=("Kultur",))
    test_client = TestClient(create_app(engine, registry(), AuthConfig(secret_key="k")))
    test_client.auth = ("anne", PASSWORD)
    test_client.engine = engine
    yield test_client
    engine.dispose()


def actions(client) -> list[tuple[str, str, dict]]:
    with client.engine.connect() as connection:
        return [(r.actor, r.action, r.details) for r in connection.execute(
            sa.select(audit_log).where(audit_log.c.action.like("records%") | audit_log.c.action.like("legal%")
                                       | audit_log.c.action.like("retention%")).order_by(audit_log.c.id))]


def test_innsyn_is_for_admins_and_searches_with_the_same_filters(client) -> None:
    assert 'href="/innsyn"' in client.get("/").text
    operator = client.get("/innsyn", auth=("kari", PASSWORD))
    assert operator.status_code == 403 and 'href="/innsyn"' not in client.get("/", auth=("kari", PASSWORD)).text
    page = client.get("/innsyn")
    assert page.status_code == 200 and "Innsyn" in page.text and 'id="records-count"' not in page.text
    found = client.get("/innsyn", params={"text": "byggesøknad", "account": PAGE_ID, "since": "2026-03-02",
                                          "until": "2026-03-04"})
    assert found.status_code == 200
    assert "2 meldinger, 3 versjoner" in found.text and "biblioteket" not in found.text
    assert "eg ventar på byggesøknadene" in found.text.lower() and "redigert" in found.text
    assert "fødselsnummer" in found.text  # the mark for screening
    assert "1 meldinger, 1 versjoner" in client.get("/innsyn", params={"author": "ola"}).text
    assert client.get("/innsyn", params={"text": "og"}).status_code == 422
    assert client.get("/innsyn", params={"since": "i går"}).status_code == 422
    searches = [a for a in actions(client) if a[1] == "records_search"]
    assert searches[0][0] == "anne" and searches[0][2]["text_filter"] is True and searches[0][2]["revisions"] == 3
    assert "byggesøknad" not in json.dumps([a[2] for a in searches], ensure_ascii=False)


def test_an_admin_limited_to_units_sees_only_those_accounts(client) -> None:
    page = client.get("/innsyn", params={"vis": "1"}, auth=("kultur", PASSWORD))
    assert "Byggesøknad for biblioteket" in page.text and "Eg ventar" not in page.text
    assert client.get("/innsyn", params={"account": PAGE_ID}, auth=("kultur", PASSWORD)).status_code == 403


def test_exports_download_json_csv_and_a_redacted_pdfa(client) -> None:
    anne, token = signed_in(client.app, "anne", PASSWORD)
    form = {"text": "byggesøknad", "account": PAGE_ID, "request": "Sak 26/77", "csrf_token": token}
    assert client.post("/innsyn/eksport", data={**form, "format": "json"}).status_code == 403  # a form needs a session
    jsonl = anne.post("/innsyn/eksport", data={**form, "format": "json"})
    assert jsonl.status_code == 200 and jsonl.headers["content-type"].startswith("application/x-ndjson")
    assert 'attachment; filename="innsyn-' in jsonl.headers["content-disposition"]
    assert [json.loads(line)["id"] for line in jsonl.text.splitlines()] == ["facebook:7_1"] * 2 + ["facebook:7_2"]
    csv = anne.post("/innsyn/eksport", data={**form, "format": "csv", "redact_pii": "1"})
    assert csv.text.startswith("id,platform,account_id,kind,event,revision,created_at") and FNR not in csv.text
    pdf = anne.post("/innsyn/eksport", data={**form, "format": "pdf", "redact_pii": "1"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    reader = assert_pdfa(pdf.content)
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "Sak 26/77" in text and "anne" in text and FNR not in re.sub(r"\D", "", text)
    exports = [a for a in actions(client) if a[1] == "records_export"]
    assert [(a[0], a[2]["format"], a[2]["redact_pii"]) for a in exports] == [
        ("anne", "json", False), ("anne", "csv", True), ("anne", "pdf", True)]
    assert exports[2][2]["redacted"] == {"fodselsnummer": 1}
    assert anne.post("/innsyn/eksport", data={"format": "xml", "csrf_token": token}).status_code == 422
    kari, kari_token = signed_in(client.app, "kari", PASSWORD)
    assert kari.post("/innsyn/eksport", data={**form, "format": "json", "csrf_token": kari_token}).status_code == 403


def test_retention_and_holds_are_set_on_the_page_with_a_csrf_token(client) -> None:
    anne, token = signed_in(client.app, "anne", PASSWORD)
    assert anne.post("/innsyn/hold", data={"reason": "Sak 1", "account": PAGE_ID}).status_code == 403
    answer = anne.post("/innsyn/hold", data={"reason": "Sak 26/5", "account": PAGE_ID, "csrf_token": token},
                            follow_redirects=False)
    assert answer.status_code == 303
    answer = anne.post("/innsyn/oppbevaring", data={"account": PAGE_ID, "keep_days": "3650",
                                                          "csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303
    page = anne.get("/innsyn").text
    assert "3650 dager" in page and "Sak 26/5" in page
    [hold] = list_holds(client.engine)
    assert (hold.account_id, hold.placed_by) == (PAGE_ID, "anne")
    assert list_retention(client.engine)[0]["keep_days"] == 3650
    assert anne.post(f"/innsyn/hold/{hold.id}/opphev", data={"csrf_token": token},
                          follow_redirects=False).status_code == 303
    assert list_holds(client.engine) == []
    assert anne.post("/innsyn/oppbevaring", data={"account": "nope", "keep_days": "1",
                                                       "csrf_token": token}).status_code == 422
    assert [a[1] for a in actions(client)] == ["legal_hold_placed", "retention_set", "legal_hold_released"]


def test_an_admin_limited_to_units_neither_sees_nor_releases_other_units_holds(client) -> None:
    """Issue #24, 2: release_hold had no unit check, /innsyn listed every hold, a conversation key went unchecked."""
    from datetime import UTC, datetime

    from innboks.records.retention import place_hold, set_retention

    now = datetime.now(UTC)
    everything = place_hold(client.engine, "Sak 26/1 (alle kontoer)", "anne", now)
    kommune = place_hold(client.engine, "Sak 26/2 (kommunen)", "anne", now, account_id=PAGE_ID)
    bibliotek = place_hold(client.engine, "Sak 26/3 (biblioteket)", "anne", now, account_id=OTHER_PAGE)
    set_retention(client.engine, PAGE_ID, 400, "anne", now)
    kultur, token = signed_in(client.app, "kultur", PASSWORD)
    page = kultur.get("/innsyn").text
    assert "Sak 26/3" in page and "Sak 26/1" not in page and "Sak 26/2" not in page and "400 dager" not in page
    assert "Alle kontoer" not in page
    for hold_id in (everything, kommune):
        assert kultur.post(f"/innsyn/hold/{hold_id}/opphev", data={"csrf_token": token}).status_code == 404
    assert kultur.post("/innsyn/hold", data={"reason": "Sak 9", "conversation": f"facebook:{PAGE_ID}:7_1",
                                             "csrf_token": token}).status_code == 403
    assert kultur.post("/innsyn/hold", data={"reason": "Sak 9", "csrf_token": token}).status_code == 403
    assert kultur.post(f"/innsyn/hold/{bibliotek}/opphev", data={"csrf_token": token},
                       follow_redirects=False).status_code == 303
    assert {h.id for h in list_holds(client.engine)} == {everything, kommune}
    exported = kultur.post("/innsyn/eksport", data={"format": "json", "csrf_token": token})
    assert exported.status_code == 200 and exported.text
    assert {json.loads(line)["account_id"] for line in exported.text.splitlines()} == {OTHER_PAGE}
    anne, anne_token = signed_in(client.app, "anne", PASSWORD)
    assert anne.post(f"/innsyn/hold/{everything}/opphev", data={"csrf_token": anne_token},
                     follow_redirects=False).status_code == 303
