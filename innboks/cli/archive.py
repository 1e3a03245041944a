"""``innboks archive``: each forwarded case into the archive: over Fiks IO (``--fiks``), as a Noark 5
folder package (``--out DIR``), or both."""

from __future__ import annotations

import argparse
from pathlib import Path

from innboks.errors import CliError


def register(commands: argparse._SubParsersAction) -> None:
    archive = commands.add_parser("archive", help="send each forwarded case to the archive (Fiks Arkiv over Fiks IO) "
                                  "and/or write it as a Noark 5 archive package")
    archive.add_argument("--fiks", action="store_true",
                         help="send each case to the archive system over Fiks IO (settings INNBOKS_FIKS_*)")
    archive.add_argument("--out", type=Path, metavar="DIR", help="write a folder package per case into DIR")
    archive.add_argument("--once", action="store_true",
                         help="process what is on innboks.cases (with --fiks: and wait for the receipts), then exit")
    archive.add_argument("--group", metavar="NAME",
                         help="consumer group (default innboks-archive, with --fiks innboks-archive-fiks; "
                              "a new name replays from the start)")
    archive.add_argument("--retry-failed", action="store_true",
                         help="with --fiks: send once more the cases the archive refused (after fixing the cause)")
    archive.set_defaults(handler=_archive)


def _archive(args: argparse.Namespace) -> int:
    if not args.fiks and args.out is None:
        raise CliError("give --fiks (Fiks Arkiv over Fiks IO), --out DIR (folder packages), or both")
    if args.retry_failed and not args.fiks:
        raise CliError("--retry-failed goes with --fiks")
    if args.fiks:
        return _fiks(args)
    from connectors.archive.consumer import run_archive

    return run_archive(args.out, args.once, args.group or "innboks-archive")


def _fiks(args: argparse.Namespace) -> int:
    import logging

    from rich.console import Console

    from connectors.archive.consumer import _only_our_info
    from connectors.archive.fiks_command import run_fiks_archive
    from innboks.config.settings import get_settings
    from innboks.kafka.runtime import require_bootstrap

    settings = get_settings()
    bootstrap = require_bootstrap(settings)
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise CliError(f"--out {args.out}: not a directory")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_only_our_info)
    counts = run_fiks_archive(settings, bootstrap, args.out, args.once, args.group or "innboks-archive-fiks",
                              args.retry_failed)
    summary = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in sorted(counts.items())) or "nothing new"
    Console(stderr=True).print(f"innboks archive --fiks: {summary}")
    return 1 if counts.get("unfinished") or counts.get("rejected") else 0
