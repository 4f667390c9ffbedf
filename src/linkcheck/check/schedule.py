"""The order a run's requests start in, and how hosts are shared out between worker processes:
by schedule, so that the host with the most scheduled time is never kept waiting.

A host paced ``interval`` apart cannot finish its N requests sooner than N × interval: the
run's **schedule bound** is its busiest host's. Requests are started in the order they could
start if every host ran alone at its own pace (the busiest host's first at once, its later ones
interleaved with the tail's), and worker processes get hosts by scheduled time, largest first,
each to the least loaded worker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from linkcheck.model import host_of

# A host without an interval is paced by its answers: this long each, as many at once as it may.
NOMINAL_ANSWER = 0.05


def by_host(urls: Iterable[str]) -> dict[str, list[str]]:
    """``urls`` by host, each host's in their order."""
    queues: dict[str, list[str]] = {}
    for url in urls:
        queues.setdefault(host_of(url), []).append(url)
    return queues


def step_of(limits: tuple[int, float]) -> float:
    """The time one request takes of its host's schedule."""
    concurrency, interval = limits
    return max(interval, NOMINAL_ANSWER / max(1, concurrency))


def scheduled_order(urls: Iterable[str], limits: Callable[[str], tuple[int, float]]) -> list[str]:
    """``urls`` in the order their hosts' paces would start them; at the same moment, the host
    with the most scheduled time first (then document order)."""
    return [url for _, url in schedule(by_host(urls), limits)]


def schedule(
    queues: Mapping[str, list[str]], limits: Callable[[str], tuple[int, float]]
) -> list[tuple[str, str]]:
    """(host, URL) in scheduled order (see ``scheduled_order``), from the URLs by host."""
    keyed: list[tuple[float, float, int, str, str]] = []
    for rank, (host, queue) in enumerate(queues.items()):
        step = step_of(limits(host))
        total = step * len(queue)
        keyed.extend(
            (position * step, -total, rank, host, url) for position, url in enumerate(queue)
        )
    keyed.sort(key=lambda item: item[:3])
    return [(host, url) for *_, host, url in keyed]


def balanced_shares(
    urls: Iterable[str], shares: int, limits: Callable[[str], tuple[int, float]]
) -> list[list[str]]:
    """``urls`` in ``shares`` parts, every URL of a host in one, the hosts' scheduled time
    balanced (longest first, each to the part with the least so far)."""
    queues = by_host(urls)
    load = [0.0] * shares
    parts: list[list[str]] = [[] for _ in range(shares)]
    hosts = sorted(queues, key=lambda host: -step_of(limits(host)) * len(queues[host]))
    for host in hosts:
        least = min(range(shares), key=load.__getitem__)
        load[least] += step_of(limits(host)) * len(queues[host])
        parts[least].extend(queues[host])
    return parts
