"""The check report's formats, and writing a run's report where the user asked for it."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import IO

from linkcheck.config import CheckConfig
from linkcheck.model import CheckRun
from linkcheck.report.hints import hints
from linkcheck.report.output import open_output
from linkcheck.report.results import (
    render_github,
    render_json,
    render_junit,
    render_markdown,
    render_sarif,
)

Renderer = Callable[[CheckRun, CheckConfig, IO[str]], None]


def _text(run: CheckRun, config: CheckConfig, stream: IO[str]) -> None:
    from rich.console import Console

    from linkcheck.report.terminal import render_text

    # Never hard-wrapped: a CI log or a file keeps each line whole.
    console = (
        Console(file=stream, soft_wrap=True)
        if stream is not sys.stdout
        else Console(soft_wrap=True)
    )
    render_text(
        run.results,
        config.fail_on,
        console,
        citations=run.citations,
        elapsed=run.elapsed,
        canary=config.canary,
    )


def _json(run: CheckRun, config: CheckConfig, stream: IO[str]) -> None:
    stream.write(render_json(run.results))


def _markdown(run: CheckRun, config: CheckConfig, stream: IO[str]) -> None:
    stream.write(render_markdown(run.results, config.fail_on))


def _github(run: CheckRun, config: CheckConfig, stream: IO[str]) -> None:
    stream.write(render_github(run.results, config.fail_on))
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with open(summary_file, "a", encoding="utf-8") as summary:
            summary.write(render_markdown(run.results, config.fail_on))


def _junit(run: CheckRun, config: CheckConfig, stream: IO[str]) -> None:
    stream.write(render_junit(run.results, config.fail_on, elapsed=run.elapsed))


def _sarif(run: CheckRun, config: CheckConfig, stream: IO[str]) -> None:
    stream.write(render_sarif(run.results, config.fail_on))


def _html(run: CheckRun, config: CheckConfig, stream: IO[str]) -> None:
    from datetime import UTC, datetime

    from linkcheck.report.html import RunInfo, render_html

    command = "merge" if run.merged else "check"
    info = RunInfo(command, run.paths, datetime.now(UTC), run.elapsed, run.citations)
    stream.write(
        render_html(run.results, info, fail_on=config.fail_on, fail_after=config.fail_after)
    )


CHECK_FORMATS: dict[str, Renderer] = {
    "text": _text,
    "json": _json,
    "markdown": _markdown,
    "github": _github,
    "junit": _junit,
    "sarif": _sarif,
    "html": _html,
}


def publish_check(
    run: CheckRun,
    config: CheckConfig,
    output_format: str,
    output: str | None,
    notice: Callable[[str], None],
) -> None:
    """Render ``run`` as ``output_format`` to ``output`` (stdout when None).

    The text report ends with its hints; other formats leave them to ``notice`` (stderr).
    """
    with open_output(output) as stream:
        CHECK_FORMATS[output_format](run, config, stream)
    if output_format != "text":
        for hint in hints(run.results):
            notice(f"hint: {hint}")
