"""``innboks archive``: each forwarded case as a Noark 5 archive package."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(commands: argparse._SubParsersAction) -> None:
    archive = commands.add_parser("archive", help="write each forwarded case as a Noark 5 archive package")
    archive.add_argument("--out", type=Path, required=True, metavar="DIR", help="where the packages go")
    archive.add_argument("--once", action="store_true", help="process what is on innboks.cases, then exit")
    archive.add_argument("--group", default="innboks-archive", metavar="NAME",
                         help="consumer group (default innboks-archive; a new name replays from the start)")
    archive.set_defaults(handler=_archive)


def _archive(args: argparse.Namespace) -> int:
    from connectors.archive.consumer import run_archive

    return run_archive(args.out, args.once, args.group)
