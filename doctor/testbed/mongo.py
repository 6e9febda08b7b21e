"""A MongoDB wire-protocol endpoint (mockupdb) serving the testbed's collections."""

from __future__ import annotations

import socket
from datetime import datetime

from bson import Int64, ObjectId
from mockupdb import MockupDB, Request

from doctor.testbed.model import State
from doctor.testbed.net import LOOPBACK

SERVER_VERSION = "7.0.12"
WIRE_VERSIONS = {"maxWireVersion": 21, "minWireVersion": 0}
AUTH_COMMANDS = frozenset({"saslstart", "saslcontinue", "authenticate"})
OPEN_COMMANDS = frozenset({"ping", "buildinfo", "endsessions", "killcursors"})


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def collections(state: State) -> dict[str, list[dict]]:
    """The documents of each collection, as the backend would have stored them."""
    with state.lock:
        users = [
            {"_id": ObjectId(u.id), "email": u.email, "name": u.name} for u in state.users.values()
        ]
        projects = [
            {"_id": ObjectId(p.id), "user_id": p.owner_id, "name": p.name, "status": p.status}
            for p in state.projects.values()
        ]
        runs = [
            {
                "_id": ObjectId(r.id),
                "project_id": r.project_id,
                "status": r.status,
                "created_at": _parse_time(r.created_at),
            }
            for r in state.runs.values()
        ]
        task_logs = [
            {
                "_id": ObjectId(entry.id),
                "run_id": r.id,
                "project_id": r.project_id,
                "timestamp": _parse_time(entry.timestamp),
                "message": entry.message,
            }
            for r in state.runs.values()
            for entry in r.logs
        ]
    return {"users": users, "projects": projects, "runs": runs, "task_logs": task_logs}


def _equal(value: object, wanted: object) -> bool:
    """BSON equality, except that an ObjectId equals its 24-hex-digit string."""
    if isinstance(value, ObjectId) and isinstance(wanted, str):
        return str(value) == wanted
    return value == wanted


def _matches(doc: dict, query: dict) -> bool:
    """Equality filters, plus `$in`, which is all the doctor's lookups need."""
    for key, wanted in query.items():
        value = doc.get(key)
        if isinstance(wanted, dict) and "$in" in wanted:
            if not any(_equal(value, option) for option in wanted["$in"]):
                return False
        elif not _equal(value, wanted):
            return False
    return True


def _sorted(docs: list[dict], order: dict) -> list[dict]:
    for key, direction in reversed(list(order.items())):
        docs = sorted(docs, key=lambda d, k=key: str(d.get(k, "")), reverse=direction < 0)
    return docs


def _window(docs: list[dict], skip: int, limit: int) -> list[dict]:
    docs = docs[skip:]
    return docs[:limit] if limit else docs


def _aggregate(docs: list[dict], pipeline: list[dict]) -> list[dict]:
    """$match, $sort, $skip, $limit and a constant-key $group of $sum counters."""
    for stage in pipeline:
        ((op, arg),) = stage.items()
        if op == "$match":
            docs = [d for d in docs if _matches(d, arg)]
        elif op == "$sort":
            docs = _sorted(docs, arg)
        elif op == "$skip":
            docs = docs[arg:]
        elif op == "$limit":
            docs = docs[:arg]
        elif op == "$group":
            sums = {name: spec["$sum"] * len(docs) for name, spec in arg.items() if name != "_id"}
            docs = [{"_id": arg["_id"], **sums}] if docs else []
        else:
            raise ValueError(f"unsupported aggregation stage {op}")
    return docs


def _cursor(namespace: str, docs: list[dict]) -> dict:
    return {"cursor": {"id": Int64(0), "ns": namespace, "firstBatch": docs}}


class MongoEndpoint:
    """mockupdb answering hello/isMaster, ping, buildInfo, find, count and aggregate.

    With `require_auth`, every authentication attempt fails with code 18 and data
    commands fail with code 13, like a mongod whose credentials are wrong.
    """

    def __init__(self, state: State, db_name: str, *, require_auth: bool = False) -> None:
        self._state = state
        self._db_name = db_name
        self._require_auth = require_auth
        self._server = MockupDB(auto_ismaster=WIRE_VERSIONS)
        self._server.autoresponds(self._handle)
        self.port = self._server.run()

    def stop(self) -> None:
        # Wake the accept loop, which otherwise sleeps up to 1 s in select().
        self._server._stopped = True
        with socket.create_connection((LOOPBACK, self.port), timeout=1):
            pass
        self._server.stop()

    def _handle(self, request: Request) -> bool | None:
        name = (request.command_name or "").lower()
        if name == "ismaster":
            return None  # answered by auto_ismaster
        try:
            reply = self._reply(name, request.doc)
        except (KeyError, TypeError, ValueError) as exc:
            reply = {"ok": 0, "errmsg": str(exc), "code": 2, "codeName": "BadValue"}
        return request.replies(reply)

    def _reply(self, name: str, doc: dict) -> dict:
        if name in AUTH_COMMANDS:
            return {
                "ok": 0,
                "errmsg": "Authentication failed.",
                "code": 18,
                "codeName": "AuthenticationFailed",
            }
        if name == "hello":
            return {"isWritablePrimary": True, **WIRE_VERSIONS}
        if name == "buildinfo":
            return {"version": SERVER_VERSION, "versionArray": [7, 0, 12, 0], "ok": 1}
        if name in OPEN_COMMANDS:
            return {"ok": 1}
        if self._require_auth:
            return {
                "ok": 0,
                "errmsg": f"Command {name} requires authentication",
                "code": 13,
                "codeName": "Unauthorized",
            }
        db = doc["$db"]
        data = collections(self._state) if db == self._db_name else {}
        if name == "listdatabases":
            return {
                "databases": [{"name": self._db_name, "sizeOnDisk": 0, "empty": False}],
                "totalSize": 0,
            }
        if name == "listcollections":
            names = [{"name": key, "type": "collection"} for key in data]
            return _cursor(f"{db}.$cmd.listCollections", names)
        if name in {"find", "count", "aggregate"}:
            coll = doc[next(iter(doc))]
            docs = data.get(coll, [])
            if name == "aggregate":
                return _cursor(f"{db}.{coll}", _aggregate(docs, doc["pipeline"]))
            docs = [d for d in docs if _matches(d, doc.get("filter", doc.get("query")) or {})]
            if name == "count":
                return {"n": len(_window(docs, doc.get("skip", 0), doc.get("limit", 0)))}
            docs = _window(
                _sorted(docs, doc.get("sort") or {}), doc.get("skip", 0), abs(doc.get("limit", 0))
            )
            return _cursor(f"{db}.{coll}", docs)
        return {
            "ok": 0,
            "errmsg": f"no such command: '{name}'",
            "code": 59,
            "codeName": "CommandNotFound",
        }
