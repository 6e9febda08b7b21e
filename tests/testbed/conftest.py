"""Fixtures for the testbed's own tests: a shared healthy stack per profile, HTTP clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from doctor.testbed import PROFILES, Stack, start_stack

ApiFactory = Callable[..., httpx.Client]


@pytest.fixture(scope="module", params=PROFILES)
def healthy(request: pytest.FixtureRequest) -> Iterator[Stack]:
    """A healthy local stack of each profile, shared by a module's tests.

    Its pings come every 5 s, so replaying the finished seeded run gives no ping. Tests
    may start runs on it, but must not break it; parametrize ``healthy`` indirectly to
    pick one profile.
    """
    with start_stack(profile_name=request.param, ping_interval=5.0) as stack:
        yield stack


@pytest.fixture
def api() -> Iterator[ApiFactory]:
    """`api(stack, token=stack.token, timeout=2.0)`: an httpx client on the stack's backend.

    Pass `token=None` for a client without an Authorization header. The client ignores
    proxy settings from the environment: the tests talk to loopback only.
    """
    clients: list[httpx.Client] = []

    def open_client(
        stack: Stack, token: str | None = "", timeout: float | httpx.Timeout = 2.0
    ) -> httpx.Client:
        bearer = stack.token if token == "" else token
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        client = httpx.Client(
            base_url=stack.backend_url, headers=headers, timeout=timeout, trust_env=False
        )
        clients.append(client)
        return client

    yield open_client
    for client in clients:
        client.close()
