"""The progress line as a person sees it: the real CLI in a pseudo-terminal of 60, 80 and 120
columns, its screen read back through a terminal emulator (pyte)."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyte
import pytest
from fakeweb import Host

pytestmark = pytest.mark.e2e  # runs the real command line or real servers


def screen_when(
    cwd: Path,
    args: list[str],
    columns: int,
    shown: Callable[[list[str]], bool],
    timeout: float = 60.0,
) -> list[str]:
    """The terminal's lines once ``shown(lines)`` holds (or ``timeout`` seconds have passed)
    during a run of linkcheck ARGS on a ``columns`` wide pty."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "12", "TERM": "xterm-256color"}
    process = subprocess.Popen(
        [sys.executable, "-m", "linkcheck", *args],
        cwd=cwd, stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True,
    )  # fmt: skip
    os.close(follower)
    screen = pyte.Screen(columns, 12)
    stream = pyte.ByteStream(screen)
    started = time.monotonic()
    try:
        while time.monotonic() - started < timeout and not shown(list(screen.display)):
            ready, _, _ = select.select([leader], [], [], 0.1)
            if ready:
                try:
                    stream.feed(os.read(leader, 65536))
                except OSError:
                    break
        return list(screen.display)
    finally:
        process.kill()
        process.wait()
        os.close(leader)


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_the_progress_line_keeps_what_matters_at_any_width(
    tmp_path: Path, site: Host, columns: int
) -> None:
    urls = [site.url(f"/ok?n={n}") for n in range(20)]
    urls += [site.url("/missing"), site.url("/status/999"), site.url("/status/500")]
    urls += [site.url("/page#:~:text=not%20there"), site.url("/redirect/301")]
    urls += [site.url(f"/slow?s=30&n={n}") for n in range(3)]  # still running when read
    (tmp_path / "doc.md").write_text("\n\n".join(f"[x]({url})" for url in urls))
    lines = screen_when(
        tmp_path,
        ["doc.md", "--no-cache", "--retries=0", f"--canary={site.base}", "--per-host=8"],
        columns,
        lambda lines: any(re.search(r"^checking 25/28 .*ETA", line) for line in lines),
    )
    (line,) = [line for line in lines if line.startswith("checking")]
    assert re.search(r"checking 2[0-9]/28 ", line), line  # done/total, never cut
    assert re.search(r"ETA \d+:\d\d:\d\d", line), line  # and the time left
    assert len(line.rstrip()) < columns
    if columns >= 120:
        assert "20 ok" in line and "1 broken" in line
    else:
        assert "20✓" in line and "1✗" in line  # the counts' short form
