"""The import rules of docs/architecture.md ("Layers"), as import-linter contracts in pyproject.toml."""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_layer_imports_only_those_under_it() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is a test dependency (pyproject.toml)"
    result = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:]
    assert "BROKEN" not in result.stdout and result.stdout.count("KEPT") >= 6
    assert "the floors, from the event contract up to the command line KEPT" in result.stdout


def test_every_package_stands_on_a_floor() -> None:
    """A new package of innboks/ is placed in the layers contract, so it cannot skip the floors."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    layers = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")["layers"]
    placed = {name.strip() for layer in layers for name in re.split(r"[|:]", layer)}
    packages = {f"innboks.{path.stem if path.is_file() else path.name}" for path in (ROOT / "innboks").iterdir()
                if (path.is_dir() and (path / "__init__.py").exists())
                or (path.suffix == ".py" and path.stem not in ("__init__", "__main__"))}
    assert packages - placed == set()
    assert {"schemas", "streams", "connectors"} <= placed


#: The Kafka client layer, the topic admin next to it, Faust's transport (docs/architecture.md), the
#: batch path to that transport's producer (streams/producer.py), and the unit tests of the layer (it
#: raises the libraries' errors to see them translated) and of the batch path (it holds partitions to
#: aiokafka's default partitioner).
KAFKA_CLIENT_MODULES = {"innboks/kafka/clients.py", "innboks/kafka/admin.py", "streams/transport.py",
                        "streams/producer.py", "tests/unit/test_clients.py", "tests/unit/test_producer.py"}


def test_only_the_client_layer_imports_a_kafka_client_library() -> None:
    """The import-linter contract covers the packages; this scan holds benchmarks and tests to it too."""
    direct = re.compile(r"^\s*(?:from|import)\s+(?:kafka|aiokafka)\b", re.MULTILINE)
    offenders = sorted(
        str(path.relative_to(ROOT)) for path in ROOT.rglob("*.py")
        if not any(part.startswith(".") or part.endswith(".egg-info") for part in path.relative_to(ROOT).parts)
        and str(path.relative_to(ROOT)) not in KAFKA_CLIENT_MODULES
        and direct.search(path.read_text(encoding="utf-8"))
    )
    assert offenders == [], f"use innboks.kafka.clients instead of kafka/aiokafka in {offenders}"
