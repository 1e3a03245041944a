"""Write (or check) the JSON Schema files consumers use: ``python -m schemas.generate [--check]``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from schemas import PUBLISHED

JSONSCHEMA_DIR = Path(__file__).parent / "jsonschema"


def render(name: str) -> str:
    """The schema of a published model as stable JSON text (sorted keys, trailing newline)."""
    schema = PUBLISHED[name].model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"urn:innboks:schema:{name}"
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def stale_files(directory: Path = JSONSCHEMA_DIR) -> list[str]:
    """Names of schema files that are missing or differ from what the models generate."""
    stale = []
    for name in PUBLISHED:
        path = directory / f"{name}.json"
        if not path.exists() or path.read_text(encoding="utf-8") != render(name):
            stale.append(path.name)
    return stale


def write_all(directory: Path = JSONSCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in PUBLISHED:
        path = directory / f"{name}.json"
        path.write_text(render(name), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the committed files are stale")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files()
        if stale:
            print(f"stale JSON Schema files: {', '.join(stale)}; run `make schemas`", file=sys.stderr)
            return 1
        return 0
    for path in write_all():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
