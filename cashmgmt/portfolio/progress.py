"""A progress line for long runs on a terminal: cases done of all, failures, rate and time
left, redrawn in place on standard error at most a few times a second; nothing when
standard error is not a terminal (piped or redirected)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

#: The line is redrawn at most this often (seconds).
EVERY = 0.25


def _clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """Counts cases as they finish; draws `done/total, problems, rate, time left`."""

    def __init__(self, total: int, done: int = 0, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = done
        self.failed = 0
        self._resumed = done
        self._stream = stream
        self._started = time.monotonic()
        self._drawn = 0.0

    @classmethod
    def on_terminal(cls, total: int, done: int = 0, stream: TextIO | None = None) -> Progress:
        """A progress that draws only if `stream` (standard error) is a terminal."""
        out = sys.stderr if stream is None else stream
        isatty = getattr(out, "isatty", None)
        return cls(total, done, out if isatty is not None and isatty() else None)

    @property
    def shown(self) -> bool:
        """Whether the line is drawn at all."""
        return self._stream is not None

    def line(self) -> str:
        """`1,234/2,000 cases · 3 with problems · 41.2 cases/s · 0:19 left`."""
        elapsed = time.monotonic() - self._started
        ran = self.done - self._resumed
        rate = ran / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else None
        width = 24
        filled = width * self.done // self.total if self.total else width
        bar = "█" * filled + "·" * (width - filled)
        parts = [
            f"{bar} {self.done:,}/{self.total:,} cases",
            f"{self.failed:,} with problems",
            f"{rate:.1f} cases/s",
            f"{_clock(left)} left" if left is not None else "time left unknown",
        ]
        return " · ".join(parts)

    def advance(self, failed: bool) -> None:
        self.done += 1
        self.failed += failed
        now = time.monotonic()
        if self._stream is not None and (now - self._drawn >= EVERY or self.done == self.total):
            self._drawn = now
            self._stream.write("\r\x1b[2K" + self.line())
            self._stream.flush()

    def close(self) -> None:
        if self._stream is not None:
            self._stream.write("\r\x1b[2K" + self.line() + "\n")
            self._stream.flush()
