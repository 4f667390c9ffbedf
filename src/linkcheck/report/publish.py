"""Writing a check run's report where the user asked for it."""

from __future__ import annotations

import os
import sys

from linkcheck.config import CheckConfig
from linkcheck.pipeline import CheckRun
from linkcheck.report.extraction import open_output
from linkcheck.report.results import (
    render_github,
    render_json,
    render_junit,
    render_markdown,
    render_sarif,
)


def publish_check(
    run: CheckRun, config: CheckConfig, output_format: str, output: str | None
) -> None:
    """Render ``run`` as ``output_format`` to ``output`` (stdout when None)."""
    failing = config.fail_on
    with open_output(output) as stream:
        if output_format == "json":
            stream.write(render_json(run.results))
        elif output_format == "markdown":
            stream.write(render_markdown(run.results, failing))
        elif output_format == "github":
            stream.write(render_github(run.results, failing))
        elif output_format == "junit":
            stream.write(render_junit(run.results, failing))
        elif output_format == "sarif":
            stream.write(render_sarif(run.results, failing))
        else:
            from rich.console import Console

            from linkcheck.report.terminal import render_text

            console = (
                Console(file=stream, soft_wrap=True) if stream is not sys.stdout else Console()
            )
            render_text(
                run.results,
                failing,
                console,
                citations=run.citations,
                elapsed=run.elapsed,
                canary=config.canary,
            )
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if output_format == "github" and summary_file:
        with open(summary_file, "a", encoding="utf-8") as summary:
            summary.write(render_markdown(run.results, failing))
