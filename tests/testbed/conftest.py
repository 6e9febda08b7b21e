"""Helpers for the testbed's own tests: authenticated HTTP clients on a stack's backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from doctor.testbed import Stack

ApiFactory = Callable[..., httpx.Client]


@pytest.fixture
def api() -> Iterator[ApiFactory]:
    """`api(stack, token=stack.token, timeout=2.0)`: an httpx client on the stack's backend.

    Pass `token=None` for a client without an Authorization header.
    """
    clients: list[httpx.Client] = []

    def open_client(stack: Stack, token: str | None = "", timeout: float = 2.0) -> httpx.Client:
        bearer = stack.token if token == "" else token
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        client = httpx.Client(base_url=stack.backend_url, headers=headers, timeout=timeout)
        clients.append(client)
        return client

    yield open_client
    for client in clients:
        client.close()
