"""Child processes for the tests, none of which may hang the suite: every child runs in its own session with its
output in a file (a full pipe cannot block it), under a deadline; past the deadline the whole process group is
killed and the test fails with the tail of each child's output.

Also the rendezvous port of the multi-process runs: one outside the kernel's ephemeral port range. A port from
``bind(("", 0))`` lies inside that range, and a rank that polls a not-yet-listening store on it can be handed that
very port as its own source port, a TCP self-connect (simultaneous open) that leaves the rank talking to itself and
the store unable to bind.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

TAIL = 4000
"""How many characters of a failed child's output the failure message shows."""


@dataclass
class Finished:
    """A child that has ended: its exit status and its output (stdout and stderr interleaved)."""

    returncode: int
    output: str


def _tail(text: str) -> str:
    return text if len(text) <= TAIL else "..." + text[-TAIL:]


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_all(commands: Sequence[Sequence[str]], logs: Sequence[Path], timeout: float,
            envs: Optional[Sequence[Dict[str, str]]] = None, cwd: Optional[Path] = None) -> List[Finished]:
    """Starts every command at once (each in its own session, output to its log file) and waits for all of them
    for at most ``timeout`` seconds in total. If one fails, the others get a short grace and are then killed; if
    the deadline passes, all are killed. Raises AssertionError naming each child's status and output tail unless
    every child exited 0."""
    procs: List[subprocess.Popen] = []
    files = []
    try:
        for i, cmd in enumerate(commands):
            logs[i].parent.mkdir(parents=True, exist_ok=True)
            f = open(logs[i], "w")
            files.append(f)
            procs.append(subprocess.Popen(list(cmd), stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                          env=None if envs is None else envs[i], cwd=cwd, start_new_session=True))
        deadline = time.monotonic() + timeout
        timed_out = False
        while [p.poll() for p in procs].count(None) > 0:  # poll every child: each sets its returncode
            now = time.monotonic()
            if now > deadline:
                timed_out = not any(p.returncode not in (None, 0) for p in procs)
                break
            if any(p.returncode not in (None, 0) for p in procs):
                # One child failed: its peers would wait for it in a collective; give them a moment, then stop.
                deadline = min(deadline, now + 10)
            time.sleep(0.2)
        for p in procs:
            if p.poll() is None:
                _kill_group(p)
                p.wait()
    finally:
        for p in procs:
            if p.poll() is None:
                _kill_group(p)
                p.wait()
        for f in files:
            f.close()
    done = [Finished(p.returncode, logs[i].read_text(errors="replace")) for i, p in enumerate(procs)]
    if timed_out or any(d.returncode != 0 for d in done):
        why = (f"timed out after {timeout:.0f} s (all killed)" if timed_out
               else "a child failed (any still running were killed 10 s later)")
        parts = [f"--- child {i} {' '.join(commands[i][:3])} ... exit {d.returncode} ---\n{_tail(d.output)}"
                 for i, d in enumerate(done)]
        raise AssertionError(f"{why}\n" + "\n".join(parts))
    return done


def run_one(command: Sequence[str], log: Path, timeout: float, env: Optional[Dict[str, str]] = None,
            cwd: Optional[Path] = None) -> Finished:
    """:func:`run_all` for one command."""
    return run_all([command], [log], timeout, None if env is None else [env], cwd)[0]


def ephemeral_range() -> tuple:
    """The kernel's ephemeral (local) port range, (32768, 60999) where it cannot be read."""
    try:
        lo, hi = (int(x) for x in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
        return lo, hi
    except (OSError, ValueError):
        return 32768, 60999


def rendezvous_port() -> int:
    """A free TCP port on 127.0.0.1 outside the ephemeral range (so no client can self-connect to it)."""
    lo, hi = ephemeral_range()
    candidates = [p for p in range(20000, 32000) if not lo <= p <= hi]
    if not candidates:
        candidates = [p for p in range(hi + 1, 65536)]
    rng = random.Random()
    for port in rng.sample(candidates, min(200, len(candidates))):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError(f"no free port outside the ephemeral range {lo}-{hi}")
