"""The machine around a measurement: other servers that would share it, and how busy it was."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path


def stray_servers() -> list[str]:
    """Command lines of running ``cheque-ledger serve`` processes (granian supervisors and workers)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        if int(pid) != os.getpid() and ("api.cli serve" in cmdline or "cheque-ledger serve" in cmdline):
            found.append(f"  pid {pid}: {cmdline}")
    return found


class BusyCores:
    """Cores in use, all processes together, from its creation to ``cores()`` (``/proc/stat``)."""

    def __init__(self) -> None:
        self.start = self._times()

    @staticmethod
    def _times() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields[:8]) - idle, sum(fields[:8])

    def cores(self) -> float:
        busy, total = (b - a for a, b in zip(self.start, self._times(), strict=True))
        return (os.cpu_count() or 1) * busy / total if total else 0.0


def stop_process_group(process: subprocess.Popen, grace_seconds: float = 30) -> None:
    """SIGTERM to the server's process group, then SIGKILL to whatever of it is left once the leader has
    exited (or after ``grace_seconds``): no worker may outlive a run (one that did, during a measurement
    session, kept serving the next run's port and projecting its database)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace_seconds)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
