"""What can go wrong talking to the farm; each error names the URL and the HTTP status.

Messages never hold a credential: the URL cannot carry one (``urls``) and
answer bodies are quoted only after the password is cut out (``http.redact``).

These are not :class:`vrdr_max.errors.VrdrError`: only a refused login is the user's input to
fix (``vrdr`` exit 2); the rest is the farm failing (exit 1).
"""

from __future__ import annotations


class FarmError(Exception):
    """The Web Service could not do what vrdr asked.

    Attributes:
        url: the URL of the request (no credentials), or "" when no request was made.
        status: the HTTP status of the answer, or None when there was no answer.
    """

    def __init__(self, message: str, *, url: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class FarmUnreachableError(FarmError):
    """No answer: the host refused or did not accept the connection, or the answer was late.

    Attributes:
        reached: the connection was made, so the request may have reached the Web Service
            and been carried out (a submission whose answer was lost may have made its job).
    """

    def __init__(self, message: str, *, url: str = "", reached: bool = False) -> None:
        super().__init__(message, url=url)
        self.reached = reached


class FarmAuthError(FarmError):
    """The Web Service refused the login (401) or the user's rights (403)."""


class FarmHTTPError(FarmError):
    """An answer with an error status (4xx other than 401/403, 5xx)."""


class FarmProtocolError(FarmError):
    """An answer vrdr cannot read: not JSON, or not the shape the Deadline routes give."""
