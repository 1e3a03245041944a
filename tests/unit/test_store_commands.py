"""The store's commands: users, triage corrections exported as a corpus that ``triage eval`` reads, errors."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from innboks.cli import main
from innboks.cli.triage import run_triage_eval
from innboks.db.engine import open_store
from innboks.db.schema import audit_log
from innboks.inbox.commands import correct_triage
from innboks.web.users import User, authenticate
from schemas import Category, EscalationReason, ModerationReason
from streams.triage.evaluation import load_corpus
from tests.inbox_data import add_inquiry, registry
from tests.unit.test_cli import innboks


def test_corrections_export_as_a_corpus_that_triage_eval_reads(tmp_path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = open_store(url)
    with engine.begin() as connection:
        first = add_inquiry(connection, "1_600", "Kommunen er udugelig, ordføreren er en idiot", 5,
                            Category.FEEDBACK, escalate=[EscalationReason.CRISIS, EscalationReason.MEDIA])
        second = add_inquiry(connection, "1_601", "Når får jeg svar på søknaden min?", 5, Category.GENERAL_QUESTION)
        add_inquiry(connection, "1_602", "Flott brøyting!", 5, Category.FEEDBACK)  # never corrected
    units = {a.account_id: a.owning_unit for a in registry().accounts}
    kari = User("kari", "operator")
    correct_triage(engine, first, None, [ModerationReason.PERSONAL_ATTACK], kari, units)
    correct_triage(engine, second, Category.OTHER, [], kari, units)
    correct_triage(engine, second, Category.CASE_HANDLING, [], kari, units)  # the latest correction counts
    out = tmp_path / "corrections.jsonl"
    assert main(["triage", "export-corrections", "--store", url, "--out", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(line["id"], line["category"], line["moderation"], line["escalate"]) for line in lines] == [
        (first, "feedback", ["personal_attack"], ["media"]),
        (second, "case_handling", [], []),
    ]
    assert lines[1]["text"] == "Når får jeg svar på søknaden min?" and lines[1]["corrected_by"] == "kari"
    assert len(load_corpus(out)) == 2
    assert run_triage_eval(out) == 0


def test_users_add_list_disable(tmp_path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert main(["users", "add", "kari", "--role", "operator", "--unit", "Kultur", "--store", url]) == 0
    password = capsys.readouterr().out.strip().rsplit(" ", 1)[-1]
    engine = open_store(url)
    assert authenticate(engine, "kari", password) == User("kari", "operator", ("Kultur",))
    assert main(["users", "list", "--store", url]) == 0
    assert capsys.readouterr().out.split("\t")[:3] == ["kari", "operator", "Kultur"]
    assert main(["users", "disable", "kari", "--store", url]) == 0
    assert authenticate(engine, "kari", password) is None
    with engine.connect() as connection:
        assert [r.action for r in connection.execute(sa.select(audit_log.c.action))] == ["user_set", "user_disabled"]


@pytest.mark.parametrize("args, needle", [
    (["users", "add", "kari", "--role", "boss"], "invalid choice"),
    (["users", "add", "kari", "--role", "reader", "--password-stdin"], "at least 10 characters"),
    (["users", "disable", "nobody"], "no user 'nobody'"),
    (["store", "migrate", "--store", "mysql://x"], "not a store URL"),
    (["store", "project"], "KAFKA_BOOTSTRAP_SERVERS is not set"),
    (["triage", "export-corrections", "--since", "yesterday"], "not a date"),
    (["inbox", "--port", "0"], "between 1 and 65535"),
])
def test_bad_arguments_are_one_line(tmp_path, args, needle) -> None:
    if "--store" not in args and args[0] != "inbox":
        args = [*args, "--store", f"sqlite:///{tmp_path / 'store.db'}"]
    result = innboks(*args, stdin="short\n")
    assert result.returncode != 0 and needle in result.stderr and len(result.stderr.strip().splitlines()) == 1
