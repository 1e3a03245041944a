"""Grafana dashboards as code (grafana-foundation-sdk), written to ``deploy/grafana/dashboards/``.

``python -m innboks.ops.dashboards`` regenerates the JSON files; ``--check`` exits 1 when the
committed files differ from what this code builds (a test runs it). Every Prometheus panel query is
also run against a real Prometheus in the end-to-end operations test, so each one must return data
from a running Innboks: counters are summed with ``or vector(0)`` only where "nothing happened" is
the normal state.

One panel reads the conversation store instead (PostgreSQL, the data source variable ``store``):
the table "Åpne henvendelser". Its SQL is portable (the tests run it against the SQLite store and a
projected store in the operations test) and names only columns that the Grafana role may read
(``deploy/postgres/grafana-reader.sql``): never message text or authors.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.builders import common, heatmap, stat, table, timeseries
from grafana_foundation_sdk.builders import dashboard as dash
from grafana_foundation_sdk.builders import prometheus as prom
from grafana_foundation_sdk.cog import builder as cogbuilder
from grafana_foundation_sdk.cog import variants as cogvariants
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.common import BigValueColorMode, BigValueGraphMode, TableColorTextCellOptions
from grafana_foundation_sdk.models.dashboard import (
    DataSourceRef,
    DynamicConfigValue,
    GridPos,
    Threshold,
    ThresholdsMode,
    ValueMap,
    ValueMappingResult,
)

OUT = Path(__file__).parents[2] / "deploy" / "grafana" / "dashboards"
DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")
#: Grafana's PostgreSQL data source plugin (Grafana 10.3 and later; "postgres" before).
STORE_TYPE = "grafana-postgresql-datasource"
STORE = DataSourceRef(type_val=STORE_TYPE, uid="${store}")


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str = ""


@dataclass(frozen=True)
class Sql:
    """A query of the conversation store, with the heading of each column it returns."""

    sql: str
    headings: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PanelSpec:
    title: str
    kind: str  # stat, timeseries, heatmap, table (a Sql query of the store)
    queries: tuple[Query | Sql, ...]
    unit: str = "short"
    description: str = ""
    width: int = 8
    height: int = 7
    #: A banner: red background with this text when the value is 1, green "off" otherwise.
    banner: str | None = None
    #: A stat's values as words in colours: (value, text, colour).
    words: tuple[tuple[str, str, str], ...] = ()
    #: A stat's background colour by threshold: (from value or None, colour).
    steps: tuple[tuple[float | None, str], ...] = ()


#: Open inquiries, most urgent first (the inbox's order: escalated first, then by due time), without
#: message text or authors. Portable
#: SQL: PostgreSQL in production, SQLite in the tests. Open states: docs/sla.md.
OPEN_INQUIRIES = Sql(
    """SELECT i.account_id AS account, i.platform, m.category, i.escalate, i.due_at, i.state, a.assignee
FROM inquiries AS i
LEFT JOIN messages AS m ON m.id = i.inquiry_id
LEFT JOIN assignments AS a ON a.conversation_key = i.conversation_key
WHERE i.state IN ('opened', 'warning', 'breached')
ORDER BY i.escalate DESC, i.due_at, i.inquiry_id
LIMIT 500""",
    (("account", "Konto"), ("platform", "Plattform"), ("category", "Kategori"), ("escalate", "Eskalert"),
     ("due_at", "Frist"), ("state", "Status"), ("assignee", "Ansvarlig")),
)
#: How the table shows the SLA states.
STATE_TEXT = {"opened": ("åpen", "text"), "warning": ("snart forfalt", "orange"), "breached": ("forfalt", "red")}

SERVICE: tuple[PanelSpec, ...] = (
    PanelSpec("Crisis mode", "stat", (Query("max(innboks_crisis_mode) or vector(0)"),), width=4, height=4,
              description="While crisis mode is on, all communication goes via the website and the Facebook page.",
              banner="CRISIS MODE"),
    PanelSpec("Inquiries open", "stat", (Query("sum(innboks_inquiries_open) or vector(0)"),), width=5, height=4),
    PanelSpec("Overdue (late replies)", "stat", (Query("sum(innboks_inquiries_overdue) or vector(0)"),),
              width=5, height=4),
    PanelSpec("Answered in time (7 days)", "stat", (Query(
        'sum(increase(innboks_inquiries_answered_total{in_time="true"}[7d]))'
        " / sum(increase(innboks_inquiries_answered_total[7d]))"),), unit="percentunit", width=5, height=4),
    PanelSpec("Oldest open inquiry", "stat", (Query("max(innboks_inquiry_oldest_open_age_seconds) or vector(0)"),),
              unit="s", width=5, height=4),
    PanelSpec("Åpne henvendelser", "table", (OPEN_INQUIRIES,), width=24, height=10,
              description="Open inquiries from the conversation store, most urgent first (the first 500). "
                          "Answer them in the inbox; no message text or names here."),
    PanelSpec("Inquiries open per account", "timeseries", (Query(
        "sum by (platform, account) (innboks_inquiries_open)", "{{platform}} {{account}}"),), width=12),
    PanelSpec("Oldest open inquiry per account", "timeseries", (Query(
        "max by (platform, account) (innboks_inquiry_oldest_open_age_seconds)", "{{platform}} {{account}}"),),
              unit="s", width=12),
    PanelSpec("Answered in time per account (24 h)", "timeseries", (Query(
        'sum by (account) (increase(innboks_inquiries_answered_total{in_time="true"}[24h]))'
        " / sum by (account) (increase(innboks_inquiries_answered_total[24h]))", "{{account}}"),),
              unit="percentunit"),
    PanelSpec("First response, business time", "heatmap", (Query(
        "sum by (le) (increase(innboks_first_response_business_seconds_bucket[1h]))", "{{le}}"),), unit="s"),
    PanelSpec("Warnings and breaches", "timeseries", (Query(
        'sum by (state) (increase(innboks_sla_events_total{state=~"warning|breached"}[1h]))', "{{state}}"),)),
    PanelSpec("Cases forwarded to the archive", "timeseries", (Query(
        "sum by (platform) (increase(innboks_cases_forwarded_total[1h]))", "{{platform}}"),)),
    PanelSpec("Moderation flags by reason", "timeseries", (Query(
        "sum by (reason) (increase(innboks_moderation_flags_total[1h]))", "{{reason}}"),)),
    PanelSpec("Hidden and deleted by reason", "timeseries", (Query(
        "sum by (action, reason) (increase(innboks_moderation_actions_total[1h])) or vector(0)",
        "{{action}} {{reason}}"),), description="reason none: no allowed reason (alert on hidden)"),
    PanelSpec("Escalations by reason", "timeseries", (Query(
        "sum by (reason) (increase(innboks_escalations_total[1h]))", "{{reason}}"),)),
    PanelSpec("Archive: oldest case without kvittering", "stat", (Query(
        "max(innboks_archive_fiks_oldest_unconfirmed_seconds) or vector(0)"),), unit="s", width=6, height=5,
              description="innboks archive --fiks: the oldest case revision sent over Fiks IO without the archive's "
                          "kvittering (the alert fires past INNBOKS_FIKS_ALERT_SECONDS)"),
    PanelSpec("Archive: refused cases", "stat", (Query(
        'max(innboks_archive_fiks_cases{status="failed"}) or vector(0)'),), width=6, height=5,
              description="ugyldigforespoersel or ikkefunnet from the archive: not archived until fixed (runbook)"),
    PanelSpec("Archive receipts by outcome", "timeseries", (Query(
        "sum by (outcome) (increase(innboks_archive_fiks_receipts_total[1h])) or vector(0)", "{{outcome}}"),),
              width=12, height=5),
    PanelSpec("Kontoer: henting", "stat", (Query(
        "min by (platform, account) (innboks_connector_token_valid)", "{{platform}} {{account}}"),), width=12,
              description="Per account: fetched, or paused because the platform refused its token (expired or "
                          "revoked). A paused account is connected again in Kontoer (Koble til på nytt).",
              words=(("1", "i drift", "green"), ("0", "på pause: koble til på nytt", "red")),
              steps=((None, "red"), (1, "green"))),
    PanelSpec("Kontoer: dager til tokenet må fornyes", "stat", (Query(
        "(min by (platform, account) (innboks_connector_token_expiry_timestamp_seconds) - time()) / 86400",
        "{{platform}} {{account}}"),), unit="d", width=12,
              description="Where the token ends by time (connected in Kontoer, or token_expires in the registry). "
                          "Warnings and alerts at 14, 7 and 1 days; connect the account again in Kontoer.",
              steps=((None, "red"), (1, "orange"), (7, "yellow"), (14, "green"))),
)

PIPELINE: tuple[PanelSpec, ...] = (
    PanelSpec("Ingestion per platform", "timeseries", (Query(
        "sum by (platform) (rate(innboks_messages_total[5m]))", "{{platform}}"),), unit="reqps", width=12),
    PanelSpec("Processing latency p95 by stage", "timeseries", (Query(
        "histogram_quantile(0.95, sum by (stage, le) (rate(innboks_processing_latency_seconds_bucket[5m])))",
        "{{stage}}"),), unit="s", width=12),
    PanelSpec("Connector errors by class", "timeseries", (Query(
        "sum by (platform, error_class) (increase(innboks_connector_errors_total[1h]))",
        "{{platform}} {{error_class}}"),)),
    PanelSpec("Rate-limit headroom", "timeseries", (Query(
        "min by (platform, account) (innboks_connector_rate_limit_remaining_ratio)", "{{platform}} {{account}}"),),
              unit="percentunit"),
    PanelSpec("Token status", "stat", (Query(
        "min by (platform, account) (innboks_connector_token_valid)", "{{platform}} {{account}}"),),
              description="1: the platform accepts the credentials; 0: rejected, renew the token"),
    PanelSpec("Token lifetime left", "stat", (Query(
        "min by (platform, account) (innboks_connector_token_expiry_timestamp_seconds) - time()",
        "{{platform}} {{account}}"),), unit="s",
              description="Connected in Kontoer, or token_expires in the registry; alerts at 14, 7 and 1 days"),
    PanelSpec("Consumer lag by topic", "timeseries", (Query(
        "sum by (topic) (innboks_consumer_lag_messages)", "{{topic}}"),), width=12),
    PanelSpec("Dead letters", "timeseries", (Query(
        "sum by (stage, reason) (increase(innboks_deadletters_total[1h])) or vector(0)", "{{stage}} {{reason}}"),),
              width=12),
    PanelSpec("Last successful poll", "timeseries", (Query(
        "time() - max by (platform, account) (innboks_connector_last_success_timestamp_seconds)",
        "{{platform}} {{account}}"),), unit="s", width=12),
    PanelSpec("Worker commit and send latency", "timeseries", (
        Query("max(innboks_worker_commit_latency_seconds)", "commit"),
        Query("max(innboks_worker_send_latency_seconds)", "send"),
    ), unit="s", width=12),
)

DASHBOARDS = {
    "innboks-service": ("Innboks — service", SERVICE),
    "innboks-pipeline": ("Innboks — pipeline", PIPELINE),
}


class SqlDataquery(cogvariants.Dataquery):
    """A raw SQL query of Grafana's PostgreSQL data source (the SDK has no builder for it)."""

    def __init__(self, ref_id: str, raw_sql: str) -> None:
        self.ref_id, self.raw_sql = ref_id, raw_sql

    def to_json(self) -> dict[str, object]:
        return {"datasource": STORE.to_json(), "editorMode": "code", "format": "table", "rawQuery": True,
                "rawSql": self.raw_sql, "refId": self.ref_id}


class SqlTarget(cogbuilder.Builder[SqlDataquery]):
    def __init__(self, ref_id: str, raw_sql: str) -> None:
        self._query = SqlDataquery(ref_id, raw_sql)

    def build(self) -> SqlDataquery:
        return self._query


def _targets(spec: PanelSpec) -> Iterator[cogbuilder.Builder[cogvariants.Dataquery]]:
    for ref, query in zip("ABCDEFGH", spec.queries, strict=False):
        if isinstance(query, Sql):
            yield SqlTarget(ref, query.sql)
            continue
        target = prom.Dataquery().expr(query.expr).ref_id(ref)
        if query.legend:
            target = target.legend_format(query.legend)
        yield target


PANEL_BUILDERS: dict[str, Any] = {"stat": stat.Panel, "timeseries": timeseries.Panel, "heatmap": heatmap.Panel,
                                  "table": table.Panel}


def _table(panel: Any, spec: PanelSpec) -> Any:
    """Norwegian headings, and the SLA state as words in their colours."""
    for query in spec.queries:
        assert isinstance(query, Sql)
        for column, heading in query.headings:
            properties = [DynamicConfigValue("displayName", heading)]
            if column == "state":
                properties.append(DynamicConfigValue("custom.cellOptions", TableColorTextCellOptions()))
            panel = panel.override_by_name(column, properties)
    return panel.show_header(True).mappings([ValueMap({state: ValueMappingResult(text=text, color=color)
                                                       for state, (text, color) in STATE_TEXT.items()})])


def _panel(spec: PanelSpec, x: int, y: int) -> Any:
    """The builders share their fluent methods but no typed base class, hence Any."""
    builder = PANEL_BUILDERS[spec.kind]()
    panel = (builder.title(spec.title).datasource(STORE if spec.kind == "table" else DATASOURCE)
             .grid_pos(GridPos(h=spec.height, w=spec.width, x=x, y=y)))
    if spec.kind == "table":
        panel = _table(panel, spec)
    elif spec.kind != "heatmap":
        panel = panel.unit(spec.unit)
    if spec.kind == "stat":
        panel = panel.reduce_options(common.ReduceDataOptions().calcs(["lastNotNull"]))
    if spec.description:
        panel = panel.description(spec.description)
    if spec.banner:
        panel = (panel.color_mode(BigValueColorMode.BACKGROUND_SOLID).graph_mode(BigValueGraphMode.NONE)
                 .thresholds(dash.ThresholdsConfig().mode(ThresholdsMode.ABSOLUTE).steps(
                     [Threshold(None, "green"), Threshold(1, "red")]))
                 .mappings([ValueMap({"0": ValueMappingResult(text="off"),
                                      "1": ValueMappingResult(text=spec.banner)})]))
    if spec.steps:
        panel = (panel.color_mode(BigValueColorMode.BACKGROUND_SOLID).graph_mode(BigValueGraphMode.NONE)
                 .thresholds(dash.ThresholdsConfig().mode(ThresholdsMode.ABSOLUTE).steps(
                     [Threshold(value, colour) for value, colour in spec.steps])))
    if spec.words:
        panel = panel.mappings([ValueMap({value: ValueMappingResult(text=text, color=colour)
                                          for value, text, colour in spec.words})])
    for target in _targets(spec):
        panel = panel.with_target(target)
    return panel


def build(uid: str) -> dict:  # type: ignore[type-arg]
    title, panels = DASHBOARDS[uid]
    board = (
        dash.Dashboard(title).uid(uid).tags(["innboks"]).refresh("30s").time("now-24h", "now")
        .timezone("Europe/Oslo").editable()
        .with_variable(dash.DatasourceVariable("datasource").label("Data source").type("prometheus"))
    )
    if any(spec.kind == "table" for spec in panels):
        board = board.with_variable(dash.DatasourceVariable("store").label("Store").type(STORE_TYPE))
    x = y = row_height = 0
    for spec in panels:
        if x + spec.width > 24:
            x, y, row_height = 0, y + row_height, 0
        board = board.with_panel(_panel(spec, x, y))
        x += spec.width
        row_height = max(row_height, spec.height)
    return json.loads(JSONEncoder(sort_keys=True, indent=2).encode(board.build()))


def queries(uid: str) -> list[str]:
    """Every Prometheus panel query of a dashboard (the end-to-end test runs them all)."""
    return [query.expr for spec in DASHBOARDS[uid][1] for query in spec.queries if isinstance(query, Query)]


def sql_queries(uid: str) -> list[Sql]:
    """Every panel query of the conversation store in a dashboard."""
    return [query for spec in DASHBOARDS[uid][1] for query in spec.queries if isinstance(query, Sql)]


def render(uid: str) -> str:
    return json.dumps(build(uid), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m innboks.ops.dashboards")
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed JSON is stale")
    args = parser.parse_args(argv)
    stale = []
    for uid in DASHBOARDS:
        path = OUT / f"{uid}.json"
        text = render(uid)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            OUT.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(path)
    if stale:
        print(f"stale dashboards: {', '.join(stale)} (run python -m innboks.ops.dashboards)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
