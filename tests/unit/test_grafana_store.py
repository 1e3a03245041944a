"""The Grafana table "Åpne henvendelser" over the conversation store: its SQL runs against a real
(SQLite) store filled by the projection and agrees with the inbox; the PostgreSQL data source is
provisioned for Compose and Kubernetes; and Grafana's database role may read exactly the columns the
panel needs, none with message text or authors."""

import os
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from innboks.config import topics
from innboks.db import schema
from innboks.db.engine import open_store
from innboks.inbox.commands import assign
from innboks.inbox.queries import InquiryFilter, list_inquiries
from innboks.ops import dashboards
from innboks.store.projection import apply
from innboks.web.users import User
from schemas import Category, EscalationReason, Language, SlaEvent, SlaState, Triage, TriagedMessage
from streams.normalize.process import normalize_raw
from tests.helpers import facebook_comment_raw
from tests.postgres import PostgresServer

ROOT = Path(__file__).parents[2]
DEPLOY = ROOT / "deploy"
DATASOURCES = DEPLOY / "grafana" / "provisioning" / "datasources"
GRANTS = DEPLOY / "postgres" / "grafana-reader.sql"
NOW = datetime.now(UTC)
ADMIN = User("admin", "admin", ())
#: Columns that hold what a citizen wrote or who they are: never readable by Grafana.
PERSONAL = {"text", "author_name", "author_id", "suggested_reply", "permalink", "pii", "message", "raw_payload"}


def project_inquiry(connection: sa.Connection, native: str, due_in_hours: float, category: Category,
                    state: SlaState = SlaState.OPENED, escalate: bool = False) -> str:
    """One inquiry through the projection, as the topics deliver it (each on its own post)."""
    raw = facebook_comment_raw(native, f"Hemmelig spørsmål {native}", post_id=f"post_{native}")
    message = normalize_raw(raw.to_json_bytes()).inbox_message()
    triage = Triage(category=category, language=Language.BOKMAL, escalate=escalate,
                    escalation_reasons=[EscalationReason.MEDIA] if escalate else [])
    apply(connection, topics.TRIAGED, TriagedMessage(message=message, triage=triage, triaged_at=NOW).to_json_bytes())
    for step in (SlaState.OPENED, state) if state is not SlaState.OPENED else (state,):
        event = SlaEvent(event_id=f"{message.id}:{step.value}", inquiry_id=message.id,
                         conversation_key=message.key, account_id=message.account_id, platform=message.platform,
                         policy="standard", received_at=NOW - timedelta(hours=1),
                         due_at=NOW + timedelta(hours=due_in_hours), state=step, emitted_at=NOW)
        apply(connection, topics.SLA, event.to_json_bytes())
    return message.id


def test_open_inquiries_panel_reads_the_store_like_the_inbox(store_url: str) -> None:
    engine = open_store(store_url)
    with engine.begin() as connection:
        later = project_inquiry(connection, "1_500", 5, Category.GENERAL_QUESTION)
        overdue = project_inquiry(connection, "1_501", -2, Category.CASE_HANDLING, SlaState.BREACHED)
        warned = project_inquiry(connection, "1_502", 1, Category.FEEDBACK, SlaState.WARNING)
        project_inquiry(connection, "1_503", -5, Category.GENERAL_QUESTION, SlaState.ANSWERED)
        project_inquiry(connection, "1_504", -6, Category.OTHER, SlaState.CLOSED)
        escalated = project_inquiry(connection, "1_505", 9, Category.OTHER, escalate=True)
    assign(engine, warned, "kari", ADMIN, {})
    [panel_sql] = dashboards.sql_queries("innboks-service")
    with engine.connect() as connection:
        result = connection.execute(sa.text(panel_sql.sql))
        columns, rows = list(result.keys()), [dict(row._mapping) for row in result]
    assert columns == [column for column, _ in panel_sql.headings]
    assert [row["state"] for row in rows] == ["opened", "breached", "warning", "opened"], "open, most urgent first"
    assert [(row["category"], row["assignee"], bool(row["escalate"])) for row in rows] == [
        ("other", None, True), ("case_handling", None, False), ("feedback", "kari", False),
        ("general_question", None, False)]
    assert not any("Hemmelig" in str(value) or "Nordmann" in str(value) for row in rows for value in row.values())
    inbox, _total = list_inquiries(engine, ADMIN, {}, {}, InquiryFilter(state="open"))
    assert [r["inquiry_id"] for r in inbox] == [escalated, overdue, warned, later]
    assert [(r["account_id"], r["platform"], r["category"], r["state"], r["assignee"]) for r in inbox] == [
        (row["account"], row["platform"], row["category"], row["state"], row["assignee"]) for row in rows]


def panel_columns(sql: str) -> set[tuple[str, str]]:
    aliases = dict((alias, table) for table, alias in re.findall(r"\b(?:FROM|JOIN) (\w+) AS (\w+)", sql))
    return {(aliases[alias], column) for alias, column in re.findall(r"\b(\w+)\.(\w+)\b", sql)}


def granted_columns() -> set[tuple[str, str]]:
    grants = re.findall(r"^GRANT SELECT \(([^)]*)\) ON (\w+) TO grafana_reader;$", GRANTS.read_text(encoding="utf-8"),
                        re.M)
    return {(table, column.strip()) for columns, table in grants for column in columns.split(",")}


def test_grafana_may_read_exactly_the_panel_columns_and_nothing_personal() -> None:
    text = GRANTS.read_text(encoding="utf-8")
    granted = granted_columns()
    for query in dashboards.sql_queries("innboks-service"):
        assert panel_columns(query.sql) == granted, "the grants and the panel's SQL name the same columns"
    for table, column in granted:
        assert column in schema.metadata.tables[table].c, (table, column)
        assert column not in PERSONAL, (table, column)
    # No other grant: only column lists, on the schema and the database, and everything revoked first.
    other = [line for line in text.splitlines() if line.startswith("GRANT") and not line.startswith("GRANT SELECT (")]
    assert other == ['GRANT CONNECT ON DATABASE :"DBNAME" TO grafana_reader;',
                     "GRANT USAGE ON SCHEMA public TO grafana_reader;"]
    assert text.index("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM grafana_reader;") < text.index("GRANT")
    assert ":'reader_password'" in text and "\\getenv reader_password GRAFANA_STORE_PASSWORD" in text


def test_the_grafana_role_reads_the_panel_and_nothing_personal_on_postgresql(postgres: PostgresServer) -> None:
    url = postgres.create_database("grafana_grants", template="innboks_migrated")
    engine = open_store(url)
    with engine.begin() as connection:
        project_inquiry(connection, "1_600", 3, Category.CASE_HANDLING)
    psql = postgres.bindir / "psql"
    result = subprocess.run([str(psql), url, "-f", str(GRANTS)], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "GRAFANA_STORE_PASSWORD": "lesepassord"})
    assert result.returncode == 0, result.stderr
    reader = sa.create_engine(url.replace("postgresql://innboks@", "postgresql+psycopg://grafana_reader@"))
    [panel_sql] = dashboards.sql_queries("innboks-service")
    with reader.connect() as connection:
        assert [row.category for row in connection.execute(sa.text(panel_sql.sql))] == ["case_handling"]
    for personal in ("SELECT text FROM messages", "SELECT author_name FROM messages", "SELECT * FROM users",
                     "SELECT message FROM message_revisions", "SELECT * FROM audit_log"):
        with reader.connect() as connection, pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            connection.execute(sa.text(personal))
    reader.dispose()
    engine.dispose()


def provisioned() -> dict[str, dict]:
    sources = {}
    for path in sorted(DATASOURCES.glob("*.yml")):
        for source in yaml.safe_load(path.read_text(encoding="utf-8"))["datasources"]:
            sources[source["uid"]] = {**source, "file": path.name}
    return sources


def test_store_data_source_is_provisioned_for_the_panel_in_compose_and_kubernetes() -> None:
    sources = provisioned()
    store = sources["innboks-store"]
    assert store["type"] == dashboards.STORE_TYPE and store["user"] == "grafana_reader"
    assert sources["prometheus"]["isDefault"] and not store.get("isDefault")
    assert store["secureJsonData"]["password"] == "${GRAFANA_STORE_PASSWORD}", "never inline"
    text = (DATASOURCES / store["file"]).read_text(encoding="utf-8")
    needed = set(re.findall(r"\$\{(\w+)\}", text))
    assert needed == {f"GRAFANA_STORE_{name}" for name in ("ADDRESS", "DATABASE", "SSLMODE", "PASSWORD")}
    # Compose gives Grafana every variable (the password from deploy/.env) and mounts the directory.
    grafana = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))["services"]["grafana"]
    assert needed <= set(grafana["environment"])
    assert "./grafana/provisioning:/etc/grafana/provisioning:ro" in grafana["volumes"]
    # Kubernetes: the file in the data-source config map, the variables from grafana-env and the
    # innboks-grafana secret (GRAFANA_STORE_PASSWORD, docs/deployment.md).
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text(encoding="utf-8"))
    generators = {g["name"]: g for g in kustomization["configMapGenerator"]}
    files = generators["grafana-provisioning-datasources"]["files"]
    assert sorted(f.split("=", 1)[1] for f in files) == sorted(
        f"grafana/provisioning/datasources/{p.name}" for p in DATASOURCES.glob("*.yml"))
    literals = {item.split("=", 1)[0] for item in generators["grafana-env"]["literals"]}
    assert literals | {"GRAFANA_STORE_PASSWORD"} == needed
    deployment = next(d for d in yaml.safe_load_all((DEPLOY / "k8s" / "grafana.yaml").read_text(encoding="utf-8"))
                      if d["kind"] == "Deployment")
    env_from = deployment["spec"]["template"]["spec"]["containers"][0]["envFrom"]
    assert {"configMapRef": {"name": "grafana-env"}} in env_from
    assert {"secretRef": {"name": "innboks-grafana"}} in env_from
    # The dashboard's store variable selects data sources of the provisioned type.
    board = dashboards.build("innboks-service")
    variables = {v["name"]: v["query"] for v in board["templating"]["list"]}
    assert variables["store"] == store["type"]
