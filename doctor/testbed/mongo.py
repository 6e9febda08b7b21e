"""MongoDB for the testbed: a real wire-protocol server, or one that refuses every login.

:class:`NxMongo` runs nx-27017 (a MongoDB wire-protocol server on SQLite, in memory) on a
loopback port; the backend keeps its users and projects there, as the real one keeps
them in ``refactor_agent``. :class:`RefusingMongo` is a mockupdb endpoint whose scripted
replies reject every authentication (code 18), like a mongod given wrong credentials.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from urllib.parse import quote

import pymongo
from mockupdb import MockupDB, Request

from doctor.testbed.net import LOOPBACK

WIRE_VERSIONS = {"maxWireVersion": 21, "minWireVersion": 0}
AUTH_COMMANDS = frozenset({"saslstart", "saslcontinue", "authenticate"})
OPEN_COMMANDS = frozenset({"ping", "buildinfo", "endsessions", "killcursors", "hello"})


class NxMongo:
    """nx-27017 serving an in-memory database on a loopback port, in a thread of its own."""

    def __init__(self) -> None:
        from nx_27017.handler import NeoSQLiteHandler
        from nx_27017.server import handle_client

        handler = NeoSQLiteHandler(":memory:")
        self._writers: set[asyncio.StreamWriter] = set()

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self._writers.add(writer)
            try:
                await handle_client(reader, writer, handler)
            finally:
                self._writers.discard(writer)

        self._loop = asyncio.new_event_loop()
        self._server = self._loop.run_until_complete(asyncio.start_server(serve, LOOPBACK, 0))
        self.port: int = self._server.sockets[0].getsockname()[1]
        self.uri = f"mongodb://{LOOPBACK}:{self.port}"
        self._serve = serve
        self._unix: list[asyncio.AbstractServer] = []
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="sse-doctor-testbed-mongo", daemon=True
        )
        self._thread.start()

    def listen_unix(self, path: str) -> str:
        """Also serve on the Unix socket ``path`` (for a backend in a container, which
        cannot reach this host's loopback); the URI pymongo reaches it by."""
        started = asyncio.run_coroutine_threadsafe(
            asyncio.start_unix_server(self._serve, path), self._loop
        )
        self._unix.append(started.result(timeout=5))
        return "mongodb://" + quote(path, safe="")

    def stop(self) -> None:
        """Stop listening and drop every connection, as a stopped mongod does."""
        if not self._thread.is_alive():
            return

        async def close() -> None:
            for server in self._unix:
                server.close()
            self._server.close()
            for writer in list(self._writers):
                writer.transport.abort()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


class RefusingMongo:
    """A MongoDB endpoint that answers the handshake and refuses every authentication."""

    def __init__(self) -> None:
        self._server = MockupDB(auto_ismaster=WIRE_VERSIONS)
        self._server.autoresponds(self._handle)
        self.port: int = self._server.run()
        # One answered ping: the accept loop is running, so stop() cannot race its start.
        with pymongo.MongoClient(
            f"mongodb://{LOOPBACK}:{self.port}", serverSelectionTimeoutMS=2000
        ) as client:
            client.admin.command("ping")

    def _handle(self, request: Request) -> bool | None:
        name = (request.command_name or "").lower()
        if name == "ismaster":
            return None  # answered by auto_ismaster
        if name in AUTH_COMMANDS:
            reply = {"ok": 0, "errmsg": "Authentication failed.", "code": 18}
            reply["codeName"] = "AuthenticationFailed"
        elif name == "buildinfo":
            reply = {"version": "7.0.12", "versionArray": [7, 0, 12, 0], "ok": 1}
        elif name in OPEN_COMMANDS:
            reply = {"ok": 1, **WIRE_VERSIONS}
        else:
            reply = {"ok": 0, "errmsg": f"Command {name} requires authentication", "code": 13}
            reply["codeName"] = "Unauthorized"
        return request.replies(reply)

    def stop(self) -> None:
        # Wake the accept loop, which otherwise sleeps up to 1 s in select().
        self._server._stopped = True
        with socket.create_connection((LOOPBACK, self.port), timeout=1):
            pass
        self._server.stop()
