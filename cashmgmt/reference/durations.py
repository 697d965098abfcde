"""Typical durations of the implementation plan's tasks, in calendar days."""

from __future__ import annotations

from functools import cache

import attrs

from cashmgmt.reference.load import read


@attrs.frozen
class TaskDurations:
    """Calendar days per task of the plan (task_durations.yaml)."""

    kickoff: int
    document: int  # each document signed
    approval: int  # each country's approval
    open_accounts: int
    move_accounts: int
    parallel_run: int
    training: int
    go_live: int
    channels: tuple[tuple[str, int], ...]  # (channel, days to set it up)
    source: str

    def channel(self, name: str) -> int:
        """Days to set up a channel."""
        return dict(self.channels)[name]


@cache
def task_durations() -> TaskDurations:
    """The shipped durations."""
    data = read("task_durations.yaml")
    days = {str(k): int(v) for k, v in data["tasks"].items()}
    return TaskDurations(
        kickoff=days["kickoff"],
        document=days["document"],
        approval=days["approval"],
        open_accounts=days["open-accounts"],
        move_accounts=days["move-accounts"],
        parallel_run=days["parallel-run"],
        training=days["training"],
        go_live=days["go-live"],
        channels=tuple((str(k), int(v)) for k, v in data["channels"].items()),
        source=data["source"],
    )
