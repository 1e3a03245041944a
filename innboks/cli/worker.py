"""``innboks worker``: the stream processors (a Faust worker)."""

from __future__ import annotations

import argparse
import sys

from innboks.config.settings import get_settings
from innboks.errors import CliError
from innboks.kafka.admin import TopicsError, TopicStatus, create_topics
from innboks.kafka.runtime import broker_or_embedded


def register(commands: argparse._SubParsersAction) -> None:
    worker = commands.add_parser("worker", help="run the stream processors (a Faust worker)")
    worker.set_defaults(handler=_worker)


def _worker(args: argparse.Namespace) -> int:
    return run_worker()


def run_worker() -> int:
    from innboks.config.accounts import RegistryError, registry_or_none
    from innboks.config.facts import FactsError, facts_path, load_facts
    from streams.triage.ruleset import DEFAULT_RULES_PATH, RulesError, load_ruleset

    try:
        # Broken rules, registry or facts files are reported now, in one line, not by a crashing agent.
        load_ruleset(get_settings().triage_rules or DEFAULT_RULES_PATH)
        registry_or_none(get_settings().accounts_file)
        load_facts(facts_path(get_settings().facts))
    except (RulesError, RegistryError, FactsError) as exc:
        raise CliError(str(exc)) from None
    with broker_or_embedded() as settings:
        if settings.create_topics:
            _ensure_topics(settings.kafka_bootstrap_servers or "", settings.topic_partitions,
                           settings.topic_replication)
        from streams.worker import run

        try:
            run(settings.log_level)
        except SystemExit as exit_:
            return int(exit_.code or 0)
    return 0


def _ensure_topics(bootstrap: str, partitions: int, replication: int) -> None:
    try:
        results = create_topics(bootstrap, partitions, replication)
    except TopicsError as exc:
        raise CliError(str(exc)) from exc
    for result in results:
        if result.status is TopicStatus.DRIFT:
            print(f"warning: topic {result.name} {result.detail}", file=sys.stderr)
