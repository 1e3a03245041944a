"""Records search over a large store, on PostgreSQL and SQLite, and export timings.

``BENCH_RECORDS_MESSAGES`` (default 1,000,000; the issue's figure is 10,000,000) messages of 20
accounts over five years are generated straight into the store's tables, not through the
projection: on PostgreSQL with ``INSERT … SELECT … generate_series`` (secondary indexes dropped for
the load and built again with the migration's definitions), on SQLite with a recursive CTE and the
FTS5 index filled by the same stemming function the projection uses. Every tenth message has an
edit (a second revision). The texts are Norwegian sentences (bokmål and nynorsk) picked by hash, each
with a reference ``rNNNNN`` that occurs once per 100,000 messages, and every 500th message mentions a
"tilsynsrapport".

Each query is timed to its full answer (all rows, with the screening marks) as ``innboks records
search`` gives it, median and worst of ``BENCH_RECORDS_REPEAT`` runs after one warm-up; the common
word is timed as the Innsyn page asks for it (the count and the first 200 rows). Then exports:
JSON lines and a PDF/A document of an account's month of matches.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from innboks.db.engine import open_store
from innboks.db.fulltext import POSTGRES_INDEX_STATISTICS, SEARCH_TABLE, stems, words
from innboks.db.schema import message_revisions, messages
from innboks.domain.calendar import OSLO
from innboks.records.export import ExportRequest, ExportStats, render_pdf, write_text
from innboks.records.search import RecordFilter, first_page, search

MESSAGES = int(os.environ.get("BENCH_RECORDS_MESSAGES", "1000000"))
REPEAT = int(os.environ.get("BENCH_RECORDS_REPEAT", "5"))
ACCOUNTS = 20
#: A server sized like a small production one (the test cluster's defaults are 128 MB of buffers).
SERVER_SETTINGS = "-c shared_buffers=2GB -c effective_cache_size=8GB"
START = datetime(2021, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 5 * 365 * 86400

OPENERS = ["Hei!", "Hallo.", "God dag.", "Takk for svar.", "Eg lurer på noko.", "Jeg lurer på en ting.",
           "Unnskyld at jeg spør her.", "Hei kommunen.", "Godt nytt år!", "Eg har eit spørsmål.",
           "Dette må dere se på.", "Viktig:"]
TOPICS = ["Når får jeg svar på byggesøknaden min?", "Kva skjer med byggesøknadene i Alta?",
          "Brøytinga i Markveien er dårleg.", "Når blir veien brøytet?", "Hvor finner jeg skjema for startlån?",
          "Når opner biblioteket att?", "Søppeltømmingen var forsinket igjen.", "Skolen har for få lærere.",
          "Vatnet i springen er brunt.", "Kommunestyret bør høre på innbyggerne.", "Bussen kom ikke i dag.",
          "Gatelysene er slukket i hele gata.", "Kan jeg søke om parkeringstillatelse på nett?",
          "Barnehageplassen vår er ikkje avklart.", "Svømmehallen er stengt, kvifor?",
          "Eiendomsskatten er for høy.", "Hvem har ansvar for fortauet?", "Takk for god hjelp på servicetorget!",
          "Legevakta svarte ikke på telefon.", "Kva tid er det valg?", "Hundeluftinga i parken er et problem.",
          "Det er hull i vegen ved skulen.", "Når kommer høringen om arealplanen?", "Eg vil klage på vedtaket.",
          "Hjemmetjenesten kom for sent til mor.", "Flott konsert i kulturhuset!",
          "Byggesaksbehandlingen tar alt for lang tid.", "Kor finn eg søknadsskjemaet?",
          "Trafikken forbi skolen er farlig.", "Når åpner den nye brannstasjonen?"]
DETAILS = ["Saken gjelder garasje.", "Det haster.", "Mvh en innbygger.", "Helsing frå Bossekop.",
           "Jeg har ventet i tre måneder.", "Eg har ringt fleire gongar.", "Ingen svarer på e-post.",
           "Se vedlagt bilde.", "Dette er tredje gang.", "Svar gjerne her.", "Takk på forhånd.",
           "Naboen er enig.", "Vi er mange som lurer.", "Det gjelder tomta vår.", "Ha ein fin dag.",
           "Beklager skrivefeil.", "Håper på svar snart.", "Gjelder også naboene.", "Kva er status?",
           "Hvem kan jeg ringe?"]
FIRST = ["Kari", "Ola", "Per", "Åse", "Nils", "Ingrid", "Sigrid", "Jon", "Marit", "Lars", "Anne", "Knut",
         "Hilde", "Trond", "Liv", "Bjørn", "Randi", "Eirik", "Tone", "Geir"]
LAST = ["Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
        "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Johannessen",
        "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Henriksen", "Lund"]


def _array(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


#: A well-mixed 32-bit hash of the message number: the picks below do not follow the account or the date.
HASH = "(({n} * 2654435761) % 4294967291)"


def _picks(n: str) -> dict[str, str]:
    h = HASH.format(n=n)
    return {"opener": f"{h} % {len(OPENERS)}", "topic": f"({h} / 12) % {len(TOPICS)}",
            "detail": f"({h} / 360) % {len(DETAILS)}", "first": f"({h} / 7200) % {len(FIRST)}",
            "last": f"({h} / 144000) % {len(LAST)}"}


def _pg_text(n: str) -> str:
    pick = _picks(n)
    return (f"({_array(OPENERS)})[1 + {pick['opener']}] || ' ' || ({_array(TOPICS)})[1 + {pick['topic']}] || ' ' || "
            f"({_array(DETAILS)})[1 + {pick['detail']}] || ' Ref r' || ({n} % 100000) || "
            f"CASE WHEN {n} % 500 = 0 THEN ' Viser til tilsynsrapporten.' ELSE '' END")


def _pg_author(n: str) -> str:
    pick = _picks(n)
    return f"({_array(FIRST)})[1 + {pick['first']}] || ' ' || ({_array(LAST)})[1 + {pick['last']}]"


def generate_postgresql(engine: sa.Engine, total: int) -> None:
    secondary = [i for table in (messages, message_revisions) for i in table.indexes]
    step = SPAN_SECONDS / total
    with engine.begin() as connection:
        for index in secondary:
            index.drop(connection)
        connection.execute(sa.text(f"""
            INSERT INTO messages (id, platform, account_id, conversation_key, conversation_id, kind, event,
                from_account, author_id, author_name, text, created_at, permalink, revision, first_seen_at,
                updated_at, escalate, escalation_reasons, moderation, pii, rules)
            SELECT 'facebook:b' || n, 'facebook', 'acct' || ((n / 4) % {ACCOUNTS}),
                'facebook:acct' || ((n / 4) % {ACCOUNTS}) || '\\:c' || (n / 4), 'c' || (n / 4),
                CASE WHEN n % 4 = 0 THEN 'comment' ELSE 'reply' END,
                CASE WHEN n % 10 = 0 THEN 'edited' ELSE 'created' END, n % 4 = 3, 'u' || (n % 50000),
                CASE WHEN n % 4 = 3 THEN 'Alta kommune' ELSE {_pg_author('n')} END, {_pg_text('n')},
                timestamptz '{START.isoformat()}' + n * interval '{step} seconds',
                'https://www.facebook.com/b' || n, CASE WHEN n % 10 = 0 THEN 1 ELSE 0 END,
                timestamptz '{START.isoformat()}' + n * interval '{step} seconds',
                timestamptz '{START.isoformat()}' + n * interval '{step} seconds' + interval '1 hour',
                false, '[]', '[]', '[]', '[]'
            FROM generate_series(1::bigint, {total}) AS n"""))
        connection.execute(sa.text("""
            INSERT INTO message_revisions (message_id, revision, event, text, author_name, content_sha256, message,
                observed_at)
            SELECT id, 0, 'created', CASE WHEN revision = 1 THEN substr(text, 1, length(text) - 1) ELSE text END,
                author_name, md5(id), jsonb_build_object('id', id), first_seen_at
            FROM messages"""))
        connection.execute(sa.text("""
            INSERT INTO message_revisions (message_id, revision, event, text, author_name, content_sha256, message,
                observed_at)
            SELECT id, 1, 'edited', text, author_name, md5(id || '\\:1'), jsonb_build_object('id', id), updated_at
            FROM messages WHERE revision = 1"""))
    with engine.begin() as connection:
        connection.execute(sa.text("SET maintenance_work_mem = '512MB'"))
        connection.execute(sa.text("SET max_parallel_maintenance_workers = 2"))
        for index in secondary:
            index.create(connection)
        for statement in POSTGRES_INDEX_STATISTICS:
            connection.execute(sa.text(statement))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE messages"))
        connection.execute(sa.text("VACUUM ANALYZE message_revisions"))


def _sqlite_pick(values: list[str], expression: str) -> str:
    cases = " ".join(f"WHEN {i} THEN '{v.replace(chr(39), chr(39) * 2)}'" for i, v in enumerate(values))
    return f"(CASE ({expression}) % {len(values)} {cases} END)"


def generate_sqlite(engine: sa.Engine, total: int) -> None:
    step = SPAN_SECONDS / total
    h = HASH.format(n="n")
    text = (f"{_sqlite_pick(OPENERS, h)} || ' ' || {_sqlite_pick(TOPICS, f'{h} / 12')} || ' ' || "
            f"{_sqlite_pick(DETAILS, f'{h} / 360')} || ' Ref r' || (n % 100000) || "
            "CASE WHEN n % 500 = 0 THEN ' Viser til tilsynsrapporten.' ELSE '' END")
    author = f"{_sqlite_pick(FIRST, f'{h} / 7200')} || ' ' || {_sqlite_pick(LAST, f'{h} / 144000')}"
    created = f"datetime({int(START.timestamp())} + CAST(n * {step} AS INTEGER), 'unixepoch')"
    with engine.begin() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        raw.create_function("bench_stems", 1, stems, deterministic=True)
        raw.create_function("bench_words", 1, lambda v: " ".join(words(v)), deterministic=True)
        connection.execute(sa.text(f"""
            INSERT INTO messages (id, platform, account_id, conversation_key, conversation_id, kind, event,
                from_account, author_id, author_name, text, created_at, permalink, revision, first_seen_at,
                updated_at, escalate, escalation_reasons, moderation, pii, rules)
            WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {total})
            SELECT 'facebook:b' || n, 'facebook', 'acct' || ((n / 4) % {ACCOUNTS}),
                'facebook:acct' || ((n / 4) % {ACCOUNTS}) || '\\:c' || (n / 4), 'c' || (n / 4),
                CASE WHEN n % 4 = 0 THEN 'comment' ELSE 'reply' END,
                CASE WHEN n % 10 = 0 THEN 'edited' ELSE 'created' END, n % 4 = 3, 'u' || (n % 50000),
                CASE WHEN n % 4 = 3 THEN 'Alta kommune' ELSE {author} END, {text},
                {created} || '.000000', 'https://www.facebook.com/b' || n, CASE WHEN n % 10 = 0 THEN 1 ELSE 0 END,
                {created} || '.000000', datetime({created}, '+1 hour') || '.000000', 0, '[]', '[]', '[]', '[]'
            FROM s"""))
        connection.execute(sa.text("""
            INSERT INTO message_revisions (message_id, revision, event, text, author_name, content_sha256, message,
                observed_at)
            SELECT id, 0, 'created', CASE WHEN revision = 1 THEN substr(text, 1, length(text) - 1) ELSE text END,
                author_name, id, json_object('id', id), first_seen_at FROM messages"""))
        connection.execute(sa.text("""
            INSERT INTO message_revisions (message_id, revision, event, text, author_name, content_sha256, message,
                observed_at)
            SELECT id, 1, 'edited', text, author_name, id || '\\:1', json_object('id', id), updated_at
            FROM messages WHERE revision = 1"""))
        connection.execute(sa.text(f"""
            INSERT INTO {SEARCH_TABLE} (words, author, message_id, revision)
            SELECT bench_stems(text), bench_words(author_name), message_id, revision FROM message_revisions"""))
        connection.execute(sa.text("ANALYZE"))


def _month(year: int, month: int) -> tuple[datetime, datetime]:
    start = datetime(year, month, 1, tzinfo=OSLO)
    return start, datetime(year + month // 12, month % 12 + 1, 1, tzinfo=OSLO)


QUERIES: list[tuple[str, RecordFilter]] = [
    ("a reference number, whole store", RecordFilter(text="r4711")),
    ("a word in every 500th message, whole store", RecordFilter(text="tilsynsrapport")),
    ("a common word, one account, one month",
     RecordFilter(accounts=("acct3",), text="byggesøknad", since=_month(2023, 3)[0], until=_month(2023, 3)[1])),
    ("one account, one day", RecordFilter(accounts=("acct7",), since=datetime(2024, 6, 3, tzinfo=OSLO),
                                          until=datetime(2024, 6, 4, tzinfo=OSLO))),
    ("an author and a word, one account, one year",
     RecordFilter(accounts=("acct5",), author="kari", text="brøyting", since=datetime(2022, 1, 1, tzinfo=OSLO),
                  until=datetime(2023, 1, 1, tzinfo=OSLO))),
    ("two words with nynorsk forms, whole store", RecordFilter(text="svar byggesøknadene r123")),
]
COMMON = ("a common word (2 in 30 messages), whole store", RecordFilter(text="byggesøknad"))


def _timed(function: Callable[[], int]) -> tuple[float, float, int]:
    function()  # warm
    times, rows = [], 0
    for _ in range(REPEAT):
        started = time.perf_counter()
        rows = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times), rows


def measure(name: str, engine: sa.Engine) -> None:
    for label, query in [*QUERIES, COMMON]:
        def page(q: RecordFilter = query) -> int:
            found = first_page(engine, q, 200, 10_000, 0.5)[1][0]
            return -1 if found is None else found

        p50, worst, found = _timed(page)
        shown = "many (count given up)" if found < 0 else f"over {10_000:,}" if found > 10_000 else f"{found:,}"
        print(f"records [{name}] {MESSAGES:,} messages: {label}: page (count, first 200 rows): {shown} messages, "
              f"median {p50:.0f} ms, worst {worst:.0f} ms")
        if found > 10_000 or found < 0:
            continue
        p50, worst, rows = _timed(lambda q=query: sum(1 for _ in search(engine, q)))  # type: ignore[misc]
        print(f"records [{name}] {MESSAGES:,} messages: {label}: whole answer: {rows:,} rows, median {p50:.0f} ms, "
              f"worst {worst:.0f} ms")
    month = QUERIES[2][1]
    export = ExportRequest(query=month, exported_by="bench", exported_at=datetime.now(UTC), municipality="Alta",
                           redact_pii=True)
    for fmt in ("json", "pdf"):
        stats = ExportStats()
        started = time.perf_counter()
        if fmt == "pdf":
            size = len(render_pdf(search(engine, month), export, stats))
        else:
            with open(os.devnull, "w", encoding="utf-8") as sink:
                write_text(search(engine, month), export, "json", sink, stats)
            size = 0
        elapsed = time.perf_counter() - started
        print(f"records [{name}] export {fmt} of one account's month ({stats.messages:,} messages, "
              f"{stats.revisions:,} revisions, masked): {elapsed:.2f} s" + (f", {size / 1e6:.1f} MB" if size else ""))


def run() -> None:
    stores: list[tuple[str, str, Callable[[sa.Engine, int], None], Any]] = []
    workdir = Path(tempfile.mkdtemp(prefix="innboks-bench-records-"))
    try:
        from tests.postgres import PostgresServer

        server = PostgresServer(SERVER_SETTINGS).start()
        stores.append(("PostgreSQL", server.create_database("records"), generate_postgresql, server))
    except RuntimeError as exc:
        print(f"records: PostgreSQL not measured ({exc})")
    stores.append(("SQLite", f"sqlite:///{workdir / 'records.db'}", generate_sqlite, None))
    for name, url, generate, server in stores:
        try:
            engine = open_store(url)
            started = time.perf_counter()
            generate(engine, MESSAGES)
            with engine.connect() as connection:
                revisions = connection.execute(sa.select(sa.func.count()).select_from(message_revisions)).scalar()
            print(f"records [{name}]: generated {MESSAGES:,} messages ({revisions:,} revisions) with their indexes "
                  f"in {time.perf_counter() - started:.0f} s")
            measure(name, engine)
            engine.dispose()
        finally:
            if server is not None:
                server.stop()
            (workdir / "records.db").unlink(missing_ok=True)
