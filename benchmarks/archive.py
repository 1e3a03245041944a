"""Archive packages: time per case for the PDF/A, the validated arkivmelding and the durable write.

In process, one core: ``BENCH_ARCHIVE_CASES`` (default 100) case-handling inquiries, each with a
thread of five earlier messages, written by the same ``ArchiveWriter`` the consumer uses.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from connectors.archive.arkivmelding import Document, build
from connectors.archive.package import ArchiveWriter
from innboks.domain.conversation_pdf import render_pdf
from streams.routing.process import ConversationHistory, build_case
from streams.triage.classifier import build_classifier
from streams.triage.process import triage_message
from tests.helpers import message

CASES = int(os.environ.get("BENCH_ARCHIVE_CASES", "100"))


def _cases() -> list:  # type: ignore[type-arg]
    classifier, now = build_classifier(), datetime.now(UTC)
    cases = []
    for i in range(CASES):
        history = ConversationHistory()
        for j in range(5):
            history = history.with_message(message(f"h{i}_{j}", conversation=f"c{i}", from_account=j % 2 == 1,
                                                   created=f"2026-11-16T08:{j:02d}:00+00:00",
                                                   text="Takk for svaret. Hva skjer videre med søknaden?"))
        inquiry = message(f"q{i}", conversation=f"c{i}", created="2026-11-16T09:00:00+00:00",
                          text="Jeg søkte om byggetillatelse for garasje i august, fnr 01010012356. "
                               "Når kommer vedtaket?")
        cases.append(build_case(triage_message(inquiry, classifier, now), history, "Offl. § 13 jf. fvl. § 13", now))
    return cases


def run() -> None:
    cases = _cases()
    render_pdf(cases[0], "Alta kommune")  # fonts loaded once, as in a running consumer
    pdf_ms, xml_ms = [], []
    for case in cases[: min(20, CASES)]:
        started = time.perf_counter()
        pdf = render_pdf(case, "Alta kommune")
        pdf_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        build(case, Document("samtale.pdf", "0" * 64, len(pdf), datetime.now(UTC)))
        xml_ms.append((time.perf_counter() - started) * 1000)
    out = Path(tempfile.mkdtemp(prefix="innboks-bench-archive-"))
    writer = ArchiveWriter(out, "Alta kommune")
    writer.prepare()
    started = time.perf_counter()
    for case in cases:
        writer.write(case)
    elapsed = time.perf_counter() - started
    size = statistics.mean((out / c.case_id / "samtale.pdf").stat().st_size for c in cases)
    print(f"{'PDF/A-2b rendering p50 / max':<44} {statistics.median(pdf_ms):>10,.0f} / {max(pdf_ms):,.0f} ms  "
          f"({size / 1024:,.0f} KiB per document)")
    print(f"{'arkivmelding build + XSD validation p50':<44} {statistics.median(xml_ms):>10,.1f} ms")
    print(f"{'packages written durably (fsync), one core':<44} {CASES / elapsed:>10,.1f} packages/s  "
          f"({elapsed / CASES * 1000:,.0f} ms each, {CASES} cases)")
