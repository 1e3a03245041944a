"""``innboks webhook``: receive Meta webhooks (Facebook, Instagram)."""

from __future__ import annotations

import argparse
import sys

from innboks.cli.args import port_number
from innboks.cli.secrets import required_secret
from innboks.config.settings import get_settings
from innboks.errors import CliError
from innboks.kafka.runtime import require_bootstrap


def register(commands: argparse._SubParsersAction) -> None:
    webhook = commands.add_parser("webhook", help="receive Meta webhooks (Facebook, Instagram)")
    webhook.add_argument("--host", default="0.0.0.0", metavar="H", help="bind address (default 0.0.0.0)")
    webhook.add_argument("--port", type=port_number, metavar="P", help="port (default INNBOKS_WEBHOOK_PORT, 8080)")
    webhook.set_defaults(handler=_webhook)


def _webhook(args: argparse.Namespace) -> int:
    from innboks.config.settings import get_settings

    return run_webhook(args.host, args.port or get_settings().webhook_port)


def run_webhook(host: str, port: int) -> int:
    from aiohttp import web

    from connectors.webhook.meta import HEADER_SECONDS, KafkaPublisher, create_app

    settings = get_settings()
    secret = required_secret(settings.meta_app_secret, settings.meta_app_secret_file, "INNBOKS_META_APP_SECRET")
    verify = required_secret(settings.meta_verify_token, settings.meta_verify_token_file, "INNBOKS_META_VERIFY_TOKEN")
    bootstrap = require_bootstrap(settings)
    publisher = KafkaPublisher(bootstrap)
    app = create_app(secret, verify, publisher, publish_dead_letter=publisher.dead_letter)

    async def on_startup(_app: web.Application) -> None:
        try:
            await publisher.start()
        except Exception as exc:
            raise CliError(f"cannot reach Kafka at {bootstrap} ({type(exc).__name__})") from exc

    async def on_cleanup(_app: web.Application) -> None:
        await publisher.stop()

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    print(f"Meta webhook receiver on http://{host}:{port}/webhooks/meta", file=sys.stderr)
    try:
        web.run_app(app, host=host, port=port, print=None, handle_signals=True,
                    keepalive_timeout=HEADER_SECONDS)
    except OSError as exc:
        raise CliError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return 0
