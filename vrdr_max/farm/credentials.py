"""HTTP Basic credentials for the Web Service, never from the command line or a file.

The user comes from ``--user``, the password from ``VRDR_DEADLINE_PASSWORD`` or a prompt.

The password lives in one :class:`Credentials` object whose ``repr`` hides it; the client
(``http``) cuts it out of any answer text it quotes, and no record, report or JSON holds it.
"""

from __future__ import annotations

import base64
import getpass
import json
import os
import sys
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from vrdr_max.errors import InputError, one_line

PASSWORD_ENV = "VRDR_DEADLINE_PASSWORD"  # noqa: S105 - the variable's name, not a password
"""Environment variable holding the Web Service password (never a command-line argument)."""


@dataclass(frozen=True)
class Credentials:
    """A Web Service login.

    Attributes:
        user: the Deadline user name.
        password: its password; kept out of ``repr`` and of every message.
    """

    user: str
    password: str = field(repr=False)

    def authorization(self) -> str:
        """The ``Authorization`` header value (RFC 7617 Basic, UTF-8)."""
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
        return f"Basic {token}"

    def secrets(self) -> tuple[str, ...]:
        """Texts that must never appear in output: the password and the header's token.

        The password also as a server may echo it: escaped in JSON, percent-encoded in a URL
        or a form, and as a message quoting it escapes it (``one_line``).
        """
        if not self.password:
            return ()
        forms = {self.password, json.dumps(self.password)[1:-1],
                 json.dumps(self.password, ensure_ascii=False)[1:-1], one_line(self.password),
                 urllib.parse.quote(self.password), urllib.parse.quote_plus(self.password),
                 self.authorization().removeprefix("Basic ")}
        return tuple(sorted(forms))


def credentials_for(user: str | None, env: Mapping[str, str] | None = None, *,
                    prompt: Callable[[str], str] | None = None,
                    interactive: bool | None = None) -> Credentials | None:
    """The login for ``--user``, or None when no user is given (no authentication).

    Args:
        user: the user name from ``--user``.
        env: where ``VRDR_DEADLINE_PASSWORD`` is looked up (the process environment by default).
        prompt: asks for the password without echo (``getpass.getpass`` by default).
        interactive: whether a prompt may be shown (default: stdin is a terminal).

    Raises:
        InputError: an empty user name or ``:`` in it (Basic authentication cannot carry it),
            or no password in the environment and no terminal to ask on.
    """
    if user is None:
        return None
    if not user.strip() or ":" in user or not user.isprintable():
        raise InputError("--user must be a non-empty Deadline user name without ':' or "
                         "control characters")
    environ = os.environ if env is None else env
    password = environ.get(PASSWORD_ENV)
    if password is None:
        can_ask = sys.stdin.isatty() if interactive is None else interactive
        if not can_ask:
            raise InputError(f"no password for --user {user}: set {PASSWORD_ENV} (vrdr never "
                             "takes a password on the command line)")
        password = (prompt or getpass.getpass)(f"Deadline password for {user}: ")
    return Credentials(user=user, password=password)
