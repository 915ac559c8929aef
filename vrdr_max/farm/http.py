"""A small HTTP client for the Web Service, on the standard library alone.

Why the standard library (``http.client`` and ``ssl``): nothing to vendor into the 3ds Max
bundle for each Python ABI, and it does what the Web Service needs: explicit timeouts, TLS
checked against the system's certificate authorities (``ssl.create_default_context``, plus a
studio CA file when the Web Service's certificate is the studio's own), and no surprises from
the environment: ``http.client`` connects straight to the host in the URL and never reads
``HTTP_PROXY``/``HTTPS_PROXY``/``NO_PROXY`` (``urllib.request`` would). The Web Service sits on
the studio LAN; a proxy in front of it must be the URL the user gives.

Reads (GET) are retried with backoff when there was no answer or a gateway error; writes
(POST, PUT) never are: a submission repeated after a lost answer would reserve the machines
twice. Every error names the method, the URL and the HTTP status.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any

from vrdr_max.errors import InputError, one_line, quote
from vrdr_max.farm.credentials import Credentials
from vrdr_max.farm.errors import (
    FarmAuthError,
    FarmError,
    FarmHTTPError,
    FarmProtocolError,
    FarmUnreachableError,
)
from vrdr_max.farm.urls import ServiceUrl

DEFAULT_TIMEOUT_S = 10.0
"""Seconds for the connection and for each read of an answer."""

TOTAL_TIMEOUT_FACTOR = 6.0
"""A whole request (connection, headers, body) may take this many ``timeout`` s at most: a
Web Service that sends one byte every few seconds never trips the per-read timeout."""

READ_RETRIES = 2
"""Extra attempts of a GET that got no answer or a gateway error (502/503/504)."""

BACKOFF_S = 0.25
"""Wait before the first retry; each further retry waits twice as long."""

RETRY_STATUSES = frozenset({502, 503, 504})
"""Answers that say "try again" (a proxy or the Web Service starting up)."""

MAX_ANSWER_BYTES = 32 * 1024 * 1024
"""Largest answer read: a farm of 5,000 workers' infosettings is a few MB."""

QUOTE_CHARS = 200
"""How much of an error answer's text a message quotes."""

Sleep = Callable[[float], None]


class TextAnswer(str):
    """An answer that is not JSON (Deadline answers some commands with a plain "Success")."""

    __slots__ = ()


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every secret replaced by ``***`` (longest first)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, "***")
    return text


class WebService:
    """One Web Service: requests with timeouts, Basic authentication, typed failures.

    Attributes:
        url: where it listens.
        local_addresses: the addresses this machine used to reach it (``getsockname`` of each
            connection): how vrdr recognises this workstation among the farm's workers
            without a name lookup.
        requests: how many requests were sent (retries count).
    """

    def __init__(self, url: ServiceUrl, credentials: Credentials | None = None, *,
                 timeout: float = DEFAULT_TIMEOUT_S, ca_file: str | None = None,
                 retries: int = READ_RETRIES, backoff: float = BACKOFF_S,
                 sleep: Sleep = time.sleep, no_user: str = "no user (pass --user NAME)",
                 total_timeout: float | None = None) -> None:
        self.url = url
        self._total = (timeout * TOTAL_TIMEOUT_FACTOR if total_timeout is None
                       else total_timeout)
        self._no_user = no_user  # a 401 without a user says this: how this caller logs in
        self._credentials = credentials
        self._timeout = timeout
        self._ca_file = ca_file
        self._retries = retries
        self._backoff = backoff
        self._sleep = sleep
        self._context: ssl.SSLContext | None = None
        self.local_addresses: set[str] = set()
        self.requests = 0

    def __repr__(self) -> str:
        return f"WebService({self.url.text!r}, user={self.user!r})"

    @property
    def user(self) -> str | None:
        """The user logged in as, or None without authentication."""
        return None if self._credentials is None else self._credentials.user

    @property
    def secrets(self) -> tuple[str, ...]:
        """Texts no output may hold (for tests and for redacting quotes)."""
        return () if self._credentials is None else self._credentials.secrets()

    def get(self, path: str, query: str = "") -> Any:
        """GET a route and parse its JSON answer, retrying when there was no answer.

        Raises:
            FarmError: see :meth:`request`; a non-JSON answer is a ``FarmProtocolError``.
        """
        attempt = 0
        while True:
            try:
                return self._json(self.url.url(path, query), self.request("GET", path, query))
            except (FarmUnreachableError, FarmHTTPError) as exc:
                retry = isinstance(exc, FarmUnreachableError) or exc.status in RETRY_STATUSES
                if not retry or attempt >= self._retries:
                    raise
            self._sleep(self._backoff * (2 ** attempt))
            attempt += 1

    def send(self, method: str, path: str, body: Any) -> Any:
        """POST or PUT a JSON body once (never retried); the answer parsed when it is JSON.

        Returns:
            The parsed answer, or a :class:`TextAnswer` when it is not JSON.

        Raises:
            FarmError: see :meth:`request`.
        """
        raw = self.request(method, path, "", json.dumps(body).encode("utf-8"))
        text = raw.decode("utf-8", "replace")
        try:
            return json.loads(text)
        except ValueError:
            return TextAnswer(text.strip())
        except RecursionError:
            url = self.url.url(path)
            raise FarmProtocolError(f"{method} {url}: the answer nests too deep to read",
                                    url=url, status=200) from None

    def request(self, method: str, path: str, query: str = "", body: bytes | None = None
                ) -> bytes:
        """One request; the answer's bytes when its status is 2xx.

        Raises:
            FarmUnreachableError: no connection, or no answer within the timeout.
            FarmAuthError: 401 or 403.
            FarmHTTPError: any other status outside 2xx.
            FarmProtocolError: an answer larger than ``MAX_ANSWER_BYTES`` or not HTTP.
            InputError: ``farm.ca_file`` cannot be read as certificates.
        """
        url = self.url.url(path, query)
        where = f"{method} {url}"
        headers = {"Accept": "application/json", "Connection": "close",
                   "User-Agent": "vrdr-max"}
        if body is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        if self._credentials is not None:
            headers["Authorization"] = self._credentials.authorization()
        self.requests += 1
        target = f"{self.url.base_path}{path}" + (f"?{query}" if query else "")
        status, reason, data = self._exchange(method, url, target, body=body,
                                              headers=headers)
        if len(data) > MAX_ANSWER_BYTES:
            raise FarmProtocolError(f"{where}: the answer is larger than {MAX_ANSWER_BYTES} "
                                    "bytes", url=url, status=status)
        if 200 <= status < 300:
            return data
        said = self._quote(data)
        if status in (401, 403):
            who = f"user {self.user}" if self.user else self._no_user
            raise FarmAuthError(f"{where}: HTTP {status}, the Web Service refused the login "
                                f"({who}){said}", url=url, status=status)
        reason = one_line(redact(reason, self.secrets))
        raise FarmHTTPError(f"{where}: HTTP {status} {reason}{said}", url=url,
                            status=status)

    def _exchange(self, method: str, url: str, target: str, *, body: bytes | None,
                  headers: dict[str, str]) -> tuple[int, str, bytes]:
        """Send one request; its status, reason phrase and (bounded) body.

        The whole exchange is cut after the total timeout, however the answer trickles in.
        """
        where = f"{method} {url}"
        conn = self._connection()
        expired = threading.Event()
        timer = threading.Timer(self._total, _cut, (conn, expired))
        timer.daemon = True
        timer.start()
        connected = False
        try:
            try:
                conn.connect()
                connected = True  # from here on the request may reach the Web Service
                conn.request(method, target, body=body, headers=headers)
                if conn.sock is not None:
                    self.local_addresses.add(str(conn.sock.getsockname()[0]))
                answer = conn.getresponse()
                data = answer.read(MAX_ANSWER_BYTES + 1)
                if expired.is_set():  # cut at the deadline: what came is not the whole answer
                    raise TimeoutError
                left = answer.length  # what Content-Length promised and never came
                if left and len(data) <= MAX_ANSWER_BYTES:
                    raise FarmUnreachableError(
                        f"{where}: the connection closed after {len(data)} of "
                        f"{len(data) + left} bytes", url=url, reached=True)
            except TimeoutError:
                raise FarmUnreachableError(f"{where}: no answer within {self._timeout:g} s",
                                           url=url, reached=connected) from None
            except http.client.RemoteDisconnected as exc:
                raise FarmUnreachableError(f"{where}: {_why(exc)}", url=url,
                                           reached=connected) from None
            except http.client.BadStatusLine as exc:  # no "HTTP/1.x NNN" line: not HTTP
                said = self._quote(str(exc.args[0] if exc.args else "").encode())
                raise FarmProtocolError(f"{where}: the answer is not HTTP{said}",
                                        url=url) from None
            except ssl.SSLError as exc:
                why = one_line(exc.reason or str(exc))
                raise FarmUnreachableError(f"{where}: TLS failed ({why}); is the certificate "
                                           "from the studio's CA (farm.ca_file)?",
                                           url=url, reached=connected) from None
            except (http.client.HTTPException, ConnectionError, socket.gaierror, OSError) as exc:
                raise FarmUnreachableError(f"{where}: {_why(exc)}", url=url,
                                           reached=connected) from None
        except FarmUnreachableError:
            if expired.is_set():  # whatever the cut looked like to http.client, say why
                raise FarmUnreachableError(f"{where}: no complete answer within "
                                           f"{self._total:g} s", url=url,
                                           reached=connected) from None
            raise
        finally:
            timer.cancel()
            conn.close()
        return answer.status, answer.reason, data

    def _connection(self) -> http.client.HTTPConnection:
        if self.url.scheme == "https":
            if self._context is None:
                try:
                    self._context = ssl.create_default_context(cafile=self._ca_file)
                except (OSError, ssl.SSLError) as exc:  # the studio's setting: bad input
                    why = one_line(getattr(exc, "strerror", None) or str(exc))
                    raise InputError(f"farm.ca_file {quote(str(self._ca_file))}: {why}"
                                     ) from None
            return http.client.HTTPSConnection(self.url.host, self.url.port,
                                               timeout=self._timeout, context=self._context)
        return http.client.HTTPConnection(self.url.host, self.url.port, timeout=self._timeout)

    def _json(self, url: str, data: bytes) -> Any:
        try:
            return json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise FarmProtocolError(f"GET {url}: the answer is not JSON{self._quote(data)}",
                                    url=url, status=200) from None

    def _quote(self, data: bytes) -> str:
        text = one_line(redact(data.decode("utf-8", "replace").strip(), self.secrets))
        if not text:
            return ""
        cut = text[:QUOTE_CHARS] + ("..." if len(text) > QUOTE_CHARS else "")
        return f': "{cut}"'


def _cut(conn: http.client.HTTPConnection, expired: threading.Event) -> None:
    """At the total deadline: end the exchange (the blocked read returns at once)."""
    expired.set()
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _why(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the Web Service running, and on this port?)"
    if isinstance(exc, socket.gaierror):
        return f"the host name does not resolve ({one_line(exc.strerror or str(exc))})"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the connection closed without an answer"
    if isinstance(exc, OSError) and exc.strerror:
        return one_line(exc.strerror)
    return one_line(f"{type(exc).__name__}: {exc}")


__all__ = ["FarmError", "TextAnswer", "WebService", "redact"]
