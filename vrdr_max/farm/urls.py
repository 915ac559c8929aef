"""The Web Service URL: parsed and checked without touching the network.

``http://deadline01:8082`` or ``https://deadline01:4434``: a scheme, a host and usually a port
(Deadline's Web Service has no fixed port: 8082 is common, the studio picks it). A URL that
carries a user name or password is refused, and its text is never repeated, so a password
typed into it ends up in no message: credentials go in ``--user`` and
``VRDR_DEADLINE_PASSWORD``.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

from vrdr_max.addresses import validate_host
from vrdr_max.errors import InputError, quote
from vrdr_max.hostport import validate_port

SCHEMES = {"http": 80, "https": 443}
"""Schemes the client speaks, with the port a URL without one means."""

_PATH = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@%/-]*")
"""A path as RFC 3986 allows it unescaped (``http.client`` sends it as it is)."""

SHOWN_CHARS = 200
"""How much of a bad URL a message repeats."""


@dataclass(frozen=True)
class ServiceUrl:
    """Where the Web Service listens.

    Attributes:
        scheme: ``http`` or ``https``.
        host: name or address (IPv6 without brackets).
        port: TCP port (the scheme's default when the URL gives none).
        base_path: a path prefix the routes go under (a reverse proxy's), without a trailing
            slash; usually empty.
    """

    scheme: str
    host: str
    port: int
    base_path: str = ""

    @property
    def text(self) -> str:
        """The URL as vrdr names it in messages and records (never with credentials)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}{self.base_path}"

    def url(self, path: str, query: str = "") -> str:
        """The full URL of a route, e.g. ``url("/api/jobs", "JobID=1")``."""
        return f"{self.text}{path}" + (f"?{query}" if query else "")


def parse_service_url(text: str) -> ServiceUrl:
    """Check a Web Service URL.

    Args:
        text: what the user gave (``--deadline``, ``VRDR_DEADLINE_URL``, the studio config).

    Returns:
        The parsed URL.

    Raises:
        InputError: not http(s), no host, a bad host or port, a query or fragment, or a user
            name/password in it (the message then does not repeat the URL).
    """
    raw = text.strip()
    authority = raw.partition("://")[2] if "://" in raw else raw
    if "@" in re.split(r"[/?#]", authority, maxsplit=1)[0]:
        # Checked before anything else can fail and quote the text: it may hold a password.
        raise InputError("the Web Service URL holds a user name or password: give the user "
                         "with --user and the password in VRDR_DEADLINE_PASSWORD (or at the "
                         "prompt), never in the URL")
    try:
        parts = urllib.parse.urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise InputError(f"Web Service URL {_shown(raw)} is not a URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise InputError(f"Web Service URL {_shown(raw)} must start with http:// or https:// "
                         "(e.g. http://deadline01:8082)")
    if not parts.hostname:
        raise InputError(f"Web Service URL {_shown(raw)} names no host")
    if parts.query or parts.fragment:
        raise InputError(f"Web Service URL {_shown(raw)} must not have a query or fragment")
    if "[" in parts.netloc and ":" not in parts.hostname:
        raise InputError(f"Web Service URL {_shown(raw)}: brackets hold an IPv6 address only")
    if not _PATH.fullmatch(parts.path):
        raise InputError(f"Web Service URL {_shown(raw)} has a path with characters a URL "
                         "cannot carry as they are (spaces, control characters, non-ASCII): "
                         "percent-encode them")
    host = validate_host(parts.hostname)
    return ServiceUrl(scheme=scheme, host=host.strip("[]"),
                      port=SCHEMES[scheme] if port is None else validate_port(port),
                      base_path=parts.path.rstrip("/"))


def _shown(raw: str) -> str:
    """The URL for a message: quoted, on one line, cut short when long."""
    return quote(raw if len(raw) <= SHOWN_CHARS else raw[:SHOWN_CHARS] + "...")
