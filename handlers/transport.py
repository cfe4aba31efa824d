"""An aiohttp transport for python-telegram-bot (a ``BaseRequest``).

PTB's default ``HTTPXRequest`` spends most of the bot's CPU per answered message in httpcore's
connection-pool bookkeeping and in URL-encoding; aiohttp's client (C-accelerated HTTP parsing,
a simple pool) with JSON bodies (which the Bot API accepts for every method but file uploads)
does the same work for well under half of it. Files go as multipart, as with PTB. Transport
failures raise PTB's ``TimedOut`` / ``NetworkError``.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_JSON = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """``BaseRequest`` over one ``aiohttp.ClientSession`` with a bounded connection pool."""

    def __init__(
        self,
        connection_pool_size: int = 16,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 10.0,
        media_write_timeout: float = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                skip_auto_headers=("Accept-Encoding",),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _timeout(self, read: Any, write: Any, connect: Any, pool: Any, media: bool) -> aiohttp.ClientTimeout:
        def pick(value: Any, default: float | None) -> float | None:
            return default if isinstance(value, DefaultValue) else value

        read_s = pick(read, self._read_timeout)
        write_s = pick(write, self._media_write_timeout if media else self._write_timeout)
        connect_s = pick(connect, self._connect_timeout)
        pool_s = pick(pool, self._pool_timeout)
        # aiohttp has no separate write timeout; a request may take its write and read budget.
        total = None if read_s is None or write_s is None else read_s + write_s + (pool_s or 0)
        return aiohttp.ClientTimeout(
            total=total, sock_read=read_s, connect=None if connect_s is None or pool_s is None else connect_s + pool_s
        )

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """See ``BaseRequest.do_request``."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        data: Any = None
        headers = None
        if request_data is not None:
            if files:
                form = aiohttp.FormData()
                for name, text in request_data.json_parameters.items():
                    form.add_field(name, text)
                for name, value in request_data.multipart_data.items():
                    if isinstance(value, tuple):
                        filename, content, mimetype = value
                        form.add_field(name, content, filename=filename, content_type=mimetype)
                    else:
                        form.add_field(name, value)
                data = form
            else:
                data = json.dumps(request_data.parameters, ensure_ascii=False).encode()
                headers = _JSON
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout, files)
        try:
            async with self._session.request(method, url, data=data, headers=headers, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{exc.__class__.__name__}: {exc}") from exc
