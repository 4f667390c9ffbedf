"""One connection pool per origin: requests reach their origin, idle pools are closed, busy ones
are not. Real sockets, on loopback servers the test starts."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest
from fakeweb import FakeWeb, Host, serve

from linkcheck.net.transport import OriginPools, environment_proxies

pytestmark = pytest.mark.e2e  # runs the real command line or real servers


@pytest.fixture(scope="module")
def hosts() -> Iterator[list[Host]]:
    web = FakeWeb()
    with ExitStack() as stack:
        yield [stack.enter_context(serve(web, "127.0.0.1")) for _ in range(4)]


def test_each_origin_gets_its_own_pool_and_idle_ones_are_closed(hosts: list[Host]) -> None:
    async def run() -> list[int]:
        pools = OriginPools(verify=True, per_origin=2, max_pools=2)
        counts = []
        async with httpx.AsyncClient(transport=pools) as client:
            for host in hosts:
                response = await client.get(host.url("/ok"))
                assert response.status_code == 200
                assert b"Hello" in response.content
                counts.append(pools.pool_count)
        counts.append(pools.pool_count)
        return counts

    assert asyncio.run(run()) == [1, 2, 2, 2, 0]


def test_a_pool_with_a_response_in_flight_is_not_closed(hosts: list[Host]) -> None:
    async def run() -> tuple[int, bytes, int]:
        pools = OriginPools(verify=True, per_origin=2, max_pools=1)
        async with httpx.AsyncClient(transport=pools) as client:
            async with client.stream("GET", hosts[0].url("/huge")) as huge:
                chunks = huge.aiter_raw()
                await anext(chunks)
                for host in hosts[1:]:
                    assert (await client.get(host.url("/ok"))).status_code == 200
                busy = pools.pool_count  # the others were closed as their responses were
                more = await anext(chunks)  # the first pool's connection still works
            await client.get(hosts[1].url("/ok"))
            return busy, more[:3], pools.pool_count

    busy, more, after = asyncio.run(run())
    assert busy == 1
    assert more
    assert after == 1


def test_many_origins_at_once_with_few_pools(hosts: list[Host]) -> None:
    async def run() -> tuple[list[int], int]:
        pools = OriginPools(verify=True, per_origin=2, max_pools=2)
        async with httpx.AsyncClient(transport=pools) as client:

            async def one(index: int) -> int:
                response = await client.get(hosts[index % len(hosts)].url(f"/ok?i={index}"))
                return response.status_code

            codes = await asyncio.gather(*(one(i) for i in range(60)))
            return codes, pools.pool_count

    codes, open_pools = asyncio.run(run())
    assert codes == [200] * 60
    assert open_pools <= 2


def test_connections_are_reused_within_an_origin(hosts: list[Host]) -> None:
    async def run() -> set[int]:
        pools = OriginPools(verify=True, per_origin=4, max_pools=4)
        ports = set()
        async with httpx.AsyncClient(transport=pools) as client:
            for _ in range(5):
                async with client.stream("GET", hosts[0].url("/ok")) as response:
                    await response.aread()
                    stream = response.extensions["network_stream"]
                    ports.add(stream.get_extra_info("client_addr")[1])
        return ports

    assert len(asyncio.run(run())) == 1


def test_environment_proxies_are_detected(monkeypatch: pytest.MonkeyPatch) -> None:
    for scheme in ("http", "https", "all", "no"):
        monkeypatch.delenv(f"{scheme}_proxy", raising=False)
        monkeypatch.delenv(f"{scheme.upper()}_PROXY", raising=False)
    assert not environment_proxies()
    monkeypatch.setenv("NO_PROXY", "localhost")
    assert not environment_proxies()
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    assert environment_proxies()
