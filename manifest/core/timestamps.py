"""ISO 8601 / RFC 3339 times, read the same way on every supported Python.

Before 3.11, ``datetime.fromisoformat`` reads only 3 or 6 digits of a
fraction of a second and no ``Z``; :func:`parse_time` accepts any number of
fraction digits (up to microseconds are kept) and ``Z`` on all of them.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

_FRACTION = re.compile(r"\.(\d+)")


def parse_time(text: str) -> datetime:
    """``text`` as a datetime (aware when it names a zone: ``Z`` is UTC).

    Raises :class:`ValueError` for anything that is not an ISO 8601 time.
    """
    value = text.strip()
    if value[-1:] in ("Z", "z"):
        value = value[:-1] + "+00:00"
    value = _FRACTION.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), value, count=1)
    return datetime.fromisoformat(value)


def parse_utc(text: str) -> datetime:
    """``text`` as an aware UTC datetime; a time without a zone is UTC."""
    moment = parse_time(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
