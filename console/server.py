"""Serving the console: alone (``hrdbot console``) or on the bot's event loop (``hrdbot run
--console-port``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from aiohttp import web

from console.app import Settings, build_app, login_url
from db import console as cdb


async def start(settings: Settings, host: str, port: int) -> web.AppRunner:
    """Start serving on ``host:port`` in the running event loop; stop with ``runner.cleanup()``."""
    runner = web.AppRunner(build_app(settings), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    return runner


def base_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def serve_forever(settings: Settings, host: str, port: int, announce: Callable[[str], None]) -> None:
    """``hrdbot console``: serve until interrupted; ``announce`` gets the one-time login URL
    once the port is open."""

    async def main() -> None:
        runner = await start(settings, host, port)
        try:
            token = cdb.create_login_token(settings.db, None, settings.now())
            announce(login_url(base_url(host, port), token))
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
