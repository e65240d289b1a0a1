"""The one clock every date and time in the tool comes from.

`RUNBOOK_CLOCK` (an ISO 8601 instant, such as `2026-12-02T02:00:00Z`) starts the clock at that instant; it then runs
at the real pace, so durations and the order of events stay true. Tests set it so that nothing they check depends on
the day they run; users never need it (`runbook lint --today` sets the review date on purpose).
"""

from __future__ import annotations

import datetime as dt
import os
import time

_STARTED = time.monotonic()


def _start() -> dt.datetime | None:
    text = os.environ.get("RUNBOOK_CLOCK", "").strip()
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def now() -> dt.datetime:
    """The current instant, in UTC."""
    start = _start()
    if start is None:
        return dt.datetime.now(dt.timezone.utc)
    return start + dt.timedelta(seconds=time.monotonic() - _STARTED)


def today() -> dt.date:
    """Today's date in UTC (the date review staleness, caches and new runbooks use)."""
    return now().date()


def stamp() -> str:
    """The current instant as transcripts write it: `2026-12-02T02:00:00.123Z`."""
    return now().isoformat(timespec="milliseconds").replace("+00:00", "Z")
