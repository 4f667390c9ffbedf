"""End-of-run hints: one line each, only when they apply."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from linkcheck.model import Refusal, Result, host_of
from linkcheck.report.results import plural

# Hosts whose rate limits a token lifts, and the variable their users usually keep it in.
TOKEN_HOSTS = {"github.com": "GITHUB_TOKEN", "api.github.com": "GITHUB_TOKEN"}


def hints(results: Sequence[Result]) -> list[str]:
    """What the user can do about rate limits and bot walls met in this run."""
    rate_limited: Counter[str] = Counter()
    robot_hosts: set[str] = set()
    for result in results:
        refusal = result.fetch.refusal if result.fetch is not None else None
        if refusal is Refusal.RATE_LIMITED:
            rate_limited[host_of(result.url)] += 1
        elif refusal is Refusal.ROBOTS:
            robot_hosts.add(host_of(result.url))
    lines = []
    for host, count in rate_limited.most_common():
        urls = plural(count, "URL")
        table = f'[hosts."{host}"]'
        if host in TOKEN_HOSTS:
            variable = TOKEN_HOSTS[host]
            lines.append(
                f"{urls} on {host} were rate-limited: set {variable} and add {table} "
                f'headers = {{ Authorization = "Bearer ${{{variable}}}" }}, interval = 1'
            )
        else:
            lines.append(
                f"{urls} on {host} were rate-limited: add {table} interval = 1 to the settings file"
            )
    if robot_hosts:
        count = len(robot_hosts)
        who = f"{count} host blocks" if count == 1 else f"{count} hosts block"
        lines.append(f"{who} robots: blocked is not a failure (see --fail-on)")
    return lines
