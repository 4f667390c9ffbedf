"""How a run was stopped: SIGTERM handled as Ctrl-C is, and told apart from it."""

from __future__ import annotations

import signal
from types import FrameType

from linkcheck.errors import ExitCode

_terminated = False  # set when SIGTERM stopped the run


def on_sigterm(signum: int, frame: FrameType | None) -> None:
    """SIGTERM (a cancelled CI job) stops the run as Ctrl-C does: the SIGINT handler in force
    (asyncio's, which cancels the work) is called, what finished is written, and the exit code
    says which signal it was. A process started with SIGINT ignored (a background job of a
    script) is still stopped."""
    global _terminated
    _terminated = True
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):
        handler(signal.SIGINT, frame)
    else:
        raise KeyboardInterrupt


def interruption() -> str:
    """How the run was stopped, in a word: "terminated" (SIGTERM) or "interrupted" (Ctrl-C)."""
    return "terminated" if _terminated else "interrupted"


def interruption_code() -> ExitCode:
    """143 for SIGTERM, 130 for Ctrl-C."""
    return ExitCode.TERMINATED if _terminated else ExitCode.INTERRUPTED
