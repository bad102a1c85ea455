"""What Linux's /proc says about the server's processes: its workers, the
CPU time each has used (to tell when they have finished starting and which
answered), and the memory each holds. Elsewhere every reading is None or
empty, and the report says the figure was not measured."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
# A worker that used less CPU than this over a poll is waiting for requests
# (a sync worker's heartbeat and a lost race for a connection cost far less).
BUSY_NS = 1_000_000


@dataclass(frozen=True)
class Memory:
    """Kilobytes: resident (RSS), proportional share of pages shared with
    other processes (PSS), and only its own (USS); PSS and USS are None
    where /proc/<pid>/smaps_rollup is missing."""

    rss: int
    pss: int | None
    uss: int | None


def available() -> bool:
    return (PROC / "self" / "stat").exists()


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (gunicorn's workers), in pid order."""
    found = []
    for stat in PROC.glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # it ended meanwhile
        # The command name, in brackets, may itself hold spaces and brackets.
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def workers(pid: int) -> list[int]:
    """The processes that answer requests: the children of ``pid``, or
    ``pid`` itself when it has none (the development server)."""
    return children(pid) or [pid]


def cpu_ns(pid: int) -> int | None:
    """Nanoseconds of CPU used by all the threads of ``pid`` (the scheduler's
    own count, not sampled ticks)."""
    total = 0
    try:
        for schedstat in (PROC / str(pid) / "task").glob("*/schedstat"):
            total += int(schedstat.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return total


def memory(pid: int) -> Memory | None:
    """``pid``'s memory now, or None when it cannot be read."""
    base = PROC / str(pid)
    try:
        rollup = _kilobytes((base / "smaps_rollup").read_text())
    except OSError:
        rollup = {}
    if "Rss" in rollup:
        uss = rollup.get("Private_Clean", 0) + rollup.get("Private_Dirty", 0)
        return Memory(rollup["Rss"], rollup.get("Pss"), uss)
    try:
        status = _kilobytes((base / "status").read_text())
    except OSError:
        return None
    return Memory(status["VmRSS"], None, None) if "VmRSS" in status else None


def _kilobytes(text: str) -> dict[str, int]:
    values = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        parts = rest.split()
        if len(parts) == 2 and parts[1] == "kB" and parts[0].isdigit():
            values[name.strip()] = int(parts[0])
    return values


def wait_until_idle(
    pid: int, expected: int, quiet: float = 0.3, timeout: float = 180, poll: float = 0.05
) -> tuple[list[int], float]:
    """Wait until ``pid`` has ``expected`` workers and none of them has used
    CPU for ``quiet`` seconds: they have started (built the app, read the
    index) and wait for requests. Returns the workers and the
    ``time.perf_counter()`` at which the last of them was last seen busy;
    ``TimeoutError`` if that never happens."""
    deadline = time.perf_counter() + timeout
    last_busy: dict[int, float] = {}
    used: dict[int, int | None] = {}
    while time.perf_counter() < deadline:
        now = time.perf_counter()
        pids = workers(pid)
        for worker in pids:
            cpu = cpu_ns(worker)
            before = used.get(worker)
            if worker not in last_busy or (
                cpu is not None and before is not None and cpu - before >= BUSY_NS
            ):
                last_busy[worker] = now
            used[worker] = cpu
        settled = [now - last_busy[w] >= quiet for w in pids]
        if len(pids) >= expected and all(settled):
            return pids, max(last_busy[w] for w in pids)
        time.sleep(poll)
    raise TimeoutError(f"the server's {expected} worker(s) did not settle in {timeout:.0f} s")
