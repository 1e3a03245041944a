"""Records (#15) on SQLite and PostgreSQL: raw payloads and revisions kept, search, retention, legal holds."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from innboks.db.engine import open_store
from innboks.db.fulltext import SearchQueryError
from innboks.db.schema import (
    audit_log,
    inquiries,
    message_revisions,
    messages,
    sla_events,
)
from innboks.records.retention import RetentionError, list_holds, place_hold, purge, release_hold, set_retention
from innboks.records.search import CONTRACT_FIELDS, RecordFilter, count, search
from tests.helpers import PAGE_ID
from tests.inbox_data import add_inquiry
from tests.records_data import FNR, OTHER_PAGE, T0, comment, days, feed, project_raw, screened_case


@pytest.fixture()
def engine(store_url):
    engine = open_store(store_url)
    yield engine
    engine.dispose()


def ids(engine, query: RecordFilter) -> list[str]:
    return sorted({row.id for row in search(engine, query)})


@pytest.mark.parametrize("triage_first", [False, True])
def test_every_revision_keeps_its_text_and_raw_payload_through_edit_hide_delete(engine, triage_first) -> None:
    history = [feed("9_1", "add", "Byggesøknaden min er borte", at=T0),
               feed("9_1", "edited", "Byggesøknaden min er borte!", at=T0 + days(1), created=T0),
               feed("9_1", "hide", "Byggesøknaden min er borte!", at=T0 + days(2), created=T0),
               feed("9_1", "remove", None, at=T0 + days(3), created=T0)]
    for _ in range(2):  # a replay adds nothing and overwrites nothing
        with engine.begin() as connection:
            for raw in history:
                project_raw(connection, raw, triage_first)
    with engine.connect() as connection:
        stored = connection.execute(sa.select(message_revisions).order_by(message_revisions.c.revision)).all()
    assert [(r.revision, r.event, r.text) for r in stored] == [
        (0, "created", "Byggesøknaden min er borte"), (1, "edited", "Byggesøknaden min er borte!"),
        (2, "hidden", "Byggesøknaden min er borte!"), (3, "deleted", None)]
    # The platform's item as fetched, without the mapping it travelled with.
    assert [r.raw_payload for r in stored] == [raw.item().model_dump(mode="json") for raw in history]
    assert "message" not in stored[0].raw_payload and stored[0].raw_payload["source"] == "webhook"
    assert stored[3].raw_payload["payload"]["verb"] == "remove"
    # The search finds the message by what it said, and returns every revision of it, in order.
    rows = list(search(engine, RecordFilter(text="byggesøknad")))
    assert [(r.revision, r.event, r.raw_payload_kept) for r in rows] == [
        (0, "created", True), (1, "edited", True), (2, "hidden", True), (3, "deleted", True)]
    assert all(r.latest_revision == 3 for r in rows)
    assert set(rows[0].as_json()) >= set(CONTRACT_FIELDS)


def test_our_reply_gets_its_raw_item_when_the_platform_reports_it(engine) -> None:
    """The executor writes our reply without a platform item; the connector's sighting of the same
    content fills it in (and the link), and a later sighting overwrites nothing."""
    from innboks.config import topics
    from innboks.store.projection import apply

    raw = feed("9_3", "add", "Takk for spørsmålet!", at=T0, author="Alta kommune", author_id=PAGE_ID)
    posted = raw.message.model_copy(update={"author_name": None})
    with engine.begin() as connection:
        apply(connection, topics.MESSAGES, posted.to_json_bytes())
        project_raw(connection, raw)
        later = feed("9_3", "add", "Takk for spørsmålet!", at=T0 + days(1), author="Alta kommune", author_id=PAGE_ID)
        project_raw(connection, later)
    with engine.connect() as connection:
        stored = connection.execute(sa.select(message_revisions)).one()
        author = connection.execute(sa.select(messages.c.author_name)).scalar()
    assert stored.raw_payload == raw.item().model_dump(mode="json") and author == "Alta kommune"


@pytest.fixture()
def corpus(engine):
    with engine.begin() as connection:
        comment(connection, "1_1", "Når får jeg svar på byggesøknaden min?", T0, author="Kari Nordmann")
        comment(connection, "1_2", "Eg har ikkje fått svar på byggesøknadene mine", T0 + days(1),
                author="Ola Nordmann", author_id="4243")
        comment(connection, "1_3", "Byggesøknader tek lang tid i kommunen", T0 + days(2), account=OTHER_PAGE,
                author="Per Hansen", author_id="4244")
        comment(connection, "1_4", "Kva skjer med spørsmåla mine om brøytinga?", T0 + days(3),
                author="Åse Ødegård", author_id="4245")
        comment(connection, "1_5", "Takk for svaret!", T0 + days(4), author="Kari Nordmann")
    return engine


@pytest.mark.parametrize("words, expected", [
    ("byggesøknad", ["1_1", "1_2", "1_3"]),  # nb definite, nn definite plural, indefinite plural
    ("byggesøknadene", ["1_1", "1_2", "1_3"]),  # the query is stemmed too
    ("Byggesøknaden", ["1_1", "1_2", "1_3"]),
    ("spørsmål", ["1_4"]),  # nynorsk definite plural "spørsmåla"
    ("spørsmålene", ["1_4"]),  # bokmål form of the query, nynorsk form in the text
    ("brøytingen", ["1_4"]),  # bokmål "brøytingen" finds nynorsk "brøytinga"
    ("bygg*", ["1_1", "1_2", "1_3"]),  # a prefix
    ("svar byggesøknad", ["1_1", "1_2"]),  # every word must match
    ("og svar på byggesøknaden", ["1_1", "1_2"]),  # common words are left out
    ("svaret", ["1_1", "1_2", "1_5"]),
    ("garasje", []),
])
def test_text_search_finds_every_form_in_bokmal_and_nynorsk(corpus, words, expected) -> None:
    assert ids(corpus, RecordFilter(text=words)) == [f"facebook:{n}" for n in expected]


def test_filters_by_account_period_and_author(corpus) -> None:
    def found(**query) -> list[str]:
        return [i.split(":")[1] for i in ids(corpus, RecordFilter(**query))]

    assert found(accounts=(OTHER_PAGE,)) == ["1_3"]
    assert found(accounts=(PAGE_ID,)) == ["1_1", "1_2", "1_4", "1_5"]
    assert found(since=T0 + days(1), until=T0 + days(3)) == ["1_2", "1_3"]  # until is exclusive
    assert found(since=T0 + days(3)) == ["1_4", "1_5"]
    assert found(author="ola") == ["1_2"]
    assert found(author="nordmann") == ["1_1", "1_2", "1_5"]
    assert found(author="kari nord") == ["1_1", "1_5"]  # every word, as a prefix
    assert found(author="åse ødegård") == ["1_4"]
    assert found(author="kari", text="byggesøknad", accounts=(PAGE_ID,), until=T0 + days(1)) == ["1_1"]
    assert count(corpus, RecordFilter(author="nordmann")) == (3, 3)
    rows = list(search(corpus, RecordFilter()))
    assert [r.id for r in rows] == [f"facebook:1_{n}" for n in range(1, 6)]  # oldest first


def test_capped_counts_for_the_innsyn_page(corpus, monkeypatch) -> None:
    from innboks.records import search as records_search

    # Words with few matches are counted exactly, past the cap too; a number past the cap means "more".
    assert count(corpus, RecordFilter(text="byggesøknad"), cap=1) == (3, 3)
    monkeypatch.setattr(records_search, "FEW_MATCHES", 0)  # as if "byggesøknad" were a common word
    assert count(corpus, RecordFilter(text="byggesøknad"), cap=1) == (2, 2)  # nothing else narrows: at once
    assert count(corpus, RecordFilter(text="byggesøknad", accounts=(PAGE_ID,)), cap=1, seconds=5) == (2, 2)
    assert count(corpus, RecordFilter(text="byggesøknad", accounts=(OTHER_PAGE,)), cap=1) == (1, 1)
    assert [r.id for r in search(corpus, RecordFilter(text="byggesøknad"), limit=2)] == ["facebook:1_1",
                                                                                        "facebook:1_2"]


@pytest.mark.parametrize("query", [RecordFilter(text="og i ikkje"), RecordFilter(text="  ...  "),
                                   RecordFilter(author="--")])
def test_words_that_cannot_be_searched_say_so(query) -> None:
    with pytest.raises(SearchQueryError):
        query.check()


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        RecordFilter(since=T0, until=T0 - days(1)).check()


def test_personal_data_and_screened_cases_are_marked(engine) -> None:
    with engine.begin() as connection:
        inquiry = screened_case(connection)
        comment(connection, "1_9", "Ring meg på 912 34 567", T0)  # found in the text, not by triage
        add_inquiry(connection, "1_10", "Flott brøyting!", 5, category=_category())
    rows = {row.id: row for row in search(engine, RecordFilter())}
    screened = rows[inquiry]
    assert screened.screened and "fodselsnummer" in screened.pii
    assert any(reason.startswith("pii:") for reason in screened.screening_reasons)
    assert screened.legal_basis == "Offl. § 13 jf. fvl. § 13"
    assert rows["facebook:1_9"].pii == ["phone"] and not rows["facebook:1_9"].screened
    assert not rows["facebook:1_10"].flagged


def open_clock(connection, message_id: str) -> None:
    from innboks.config import topics
    from innboks.store.projection import apply
    from schemas import Platform, SlaEvent, SlaState

    key = f"facebook:{PAGE_ID}:{message_id.split(':')[1]}"
    apply(connection, topics.SLA, SlaEvent(
        event_id=f"{message_id}:opened", inquiry_id=message_id, conversation_key=key, account_id=PAGE_ID,
        platform=Platform.FACEBOOK, policy="standard", received_at=T0, due_at=T0 + days(1), state=SlaState.OPENED,
        emitted_at=T0).to_json_bytes())


def _category():
    from schemas import Category

    return Category.FEEDBACK


def test_retention_deletes_only_expired_conversations_no_hold_covers(engine) -> None:
    now = T0 + days(400)
    with engine.begin() as connection:
        old = comment(connection, "2_1", "Gammel byggesøknad", T0)
        project_raw(connection, feed("2_2", "add", "Svar på den gamle", at=T0 + days(1), author="Alta kommune",
                                     author_id=PAGE_ID, parent="2_1"))
        held = comment(connection, "2_3", "Klage på byggesøknad", T0)
        edited_lately = comment(connection, "2_4", "Gammel, men redigert", T0)
        project_raw(connection, feed("2_4", "edited", "Gammel, men redigert nylig", at=now - days(5), created=T0))
        recent = comment(connection, "2_5", "Ny byggesøknad", now - days(10))
        other = comment(connection, "2_6", "Annen konto, ingen regel", T0, account=OTHER_PAGE)
        open_clock(connection, old)
    set_retention(engine, PAGE_ID, 365, "kari", now)
    hold = place_hold(engine, "Sak 26/0042", "kari", now, conversation_key=f"facebook:{PAGE_ID}:2_3")

    dry = purge(engine, now, "system:test")
    assert dry.dry_run and dry.messages == 2 and dry.accounts[0].held_conversations == 1
    assert len(ids(engine, RecordFilter())) == 6  # nothing deleted by a dry run

    report = purge(engine, now, "system:test", apply=True)
    account = report.accounts[0]
    assert (account.conversations, account.messages, account.revisions, account.held_conversations) == (1, 2, 2, 1)
    assert ids(engine, RecordFilter()) == sorted([held, edited_lately, recent, other])
    assert ids(engine, RecordFilter(text="gammel")) == [edited_lately]  # the search index forgot them too
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(inquiries)).scalar() == 0
        assert connection.execute(sa.select(sa.func.count()).select_from(sla_events)).scalar() == 0
        entries = connection.execute(sa.select(audit_log.c.actor, audit_log.c.action, audit_log.c.target,
                                               audit_log.c.details).order_by(audit_log.c.id)).all()
    assert [e.action for e in entries] == ["retention_set", "legal_hold_placed", "records_purge"]
    assert entries[2].details["messages"] == 2 and entries[2].details["held_conversations"] == 1
    assert old not in str(entries[2].details)  # counts, not ids

    # A hold on the account blocks everything; released, the conversation hold still keeps its thread.
    whole = place_hold(engine, "Tilsyn 2027", "kari", now, account_id=PAGE_ID)
    later = now + days(400)
    blocked = purge(engine, later, "system:test", apply=True)
    assert blocked.accounts[0].held_account and blocked.messages == 0
    release_hold(engine, whole, "kari", later)
    assert purge(engine, later, "system:test", apply=True).messages == 2
    assert ids(engine, RecordFilter()) == sorted([held, other])
    release_hold(engine, hold, "kari", later)
    assert [h.id for h in list_holds(engine)] == []
    assert purge(engine, later, "system:test", apply=True).messages == 1
    assert ids(engine, RecordFilter()) == [other]  # no rule on the other account: kept for ever


def test_keep_forever_and_invalid_rules_and_holds(engine) -> None:
    with engine.begin() as connection:
        comment(connection, "3_1", "Gammel melding", T0)
    set_retention(engine, PAGE_ID, None, "kari", T0)
    assert purge(engine, T0 + days(10_000), "kari", apply=True).accounts == []
    with pytest.raises(RetentionError):
        set_retention(engine, PAGE_ID, 0, "kari", T0)
    with pytest.raises(RetentionError):
        place_hold(engine, " ", "kari", T0, account_id=PAGE_ID)
    with pytest.raises(RetentionError):
        place_hold(engine, "Sak 1", "kari", T0, account_id=OTHER_PAGE, conversation_key=f"facebook:{PAGE_ID}:3_1")
    hold = place_hold(engine, "Sak 1", "kari", T0)
    release_hold(engine, hold, "kari", T0)
    with pytest.raises(RetentionError, match="already released"):
        release_hold(engine, hold, "kari", T0)
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(messages)).scalar() == 1


def test_redaction_masks_every_kind_and_counts_them() -> None:
    from innboks.records.redact import redact

    text, found = redact(f"fnr {FNR}, konto 1234.56.78903, e-post kari@example.no, tlf +47 912 34 567")
    assert FNR not in text and "example.no" not in text and "912 34 567" not in text
    assert dict(found) == {"fodselsnummer": 1, "bank_account": 1, "email": 1, "phone": 1}


def test_exports_carry_the_threads_internal_notes_marked_internal(engine) -> None:
    import io
    import json

    from innboks.db.schema import notes
    from innboks.records.export import ExportRequest, ExportStats, render_html, write_text
    from innboks.records.search import with_notes

    with engine.begin() as connection:
        add_inquiry(connection, "1_11", "Brøytebilen knuste postkassen min", 5, category=_category())
        key = f"facebook:{PAGE_ID}:1_11"
        connection.execute(notes.insert().values(conversation_key=key, account_id=PAGE_ID, author="kari",
                                                 text="Ringte ham, erstatning avtalt.", created_at=T0 + days(1)))
    spec = ExportRequest(query=RecordFilter(), exported_by="anne", exported_at=T0 + days(2))
    out = io.StringIO()
    write_text(with_notes(engine, search(engine, RecordFilter())), spec, "json", out, ExportStats())
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    note = next(line for line in lines if line["internal"])
    assert (note["kind"], note["text"], note["author_name"], note["conversation_key"]) == (
        "internal_note", "Ringte ham, erstatning avtalt.", "kari", key)
    assert not any(line["internal"] for line in lines if line["id"] != note["id"])
    html = render_html(list(with_notes(engine, search(engine, RecordFilter()))), spec, ExportStats())
    assert "Internt notat" in html and "offentleglova § 14" in html
