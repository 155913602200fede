"""`python -m bench.unread [--engine sqlite|postgres] [--conversations 500] [--messages 1000000]`:
how long the `ready` frame's counts take for one user in many conversations of a big database
(docs/performance.md, "Unread counts").

Builds a throwaway database (a temporary SQLite file, or a new PostgreSQL database on the
machine's server, dropped afterwards), fills it with `--messages` messages spread over
`--conversations` rooms and DMs the reader is in (and as many rooms it is not in), with unread
runs of every length and a mention in one message of a hundred, then times
`chat.selectors.conversation_list` (what `ready` and GET /conversations answer) `--runs` times.

`--connect` then times the reader's whole connect `--runs` times, in this process, on the real
ASGI application (config.asgi, Channels' WebsocketCommunicator, the in-memory channel layer):
a protocol v2 socket's `hello` and `ready`, then the app shell's follow (web/static/parley/app.js,
`followAll`): one `subscribe` per conversation, at most FOLLOWED, each `since` the `seq` that
`ready` gave, sent at once (the shell paces them; this bench lifts the frame limit instead,
bench/settings_unread.py) and waited for. `--profile` adds one connect under cProfile.
Bounded: it stops by itself.
"""

import argparse
import asyncio
import cProfile
import io
import math
import pstats
import random
import statistics
import sys
import time
import uuid
from collections import Counter

from .database import POSTGRES, throwaway_database
from .procstat import cpu_seconds

FOLLOWED = 450  # the conversations the app shell follows (web/static/parley/app.js)
REF = "subscribe:"  # the `ref` socket.js gives a subscribe, before the slug
TIMEOUT = 120.0  # seconds a frame may take before the bench gives up


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.unread")
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--conversations", type=int, default=500)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--explain", action="store_true", help="print the counting query's plan")
    parser.add_argument(
        "--connect", action="store_true", help="also time the reader's connect: ready + follow"
    )
    parser.add_argument(
        "--profile", action="store_true", help="with --connect: one more connect under cProfile"
    )
    parser.add_argument("--postgres", default=POSTGRES, help="server to use")
    args = parser.parse_args(argv)
    if args.conversations < 1:
        parser.error("--conversations must be at least 1")
    if args.messages // (2 * args.conversations) <= 50:
        # Some conversations are 50 or more messages behind (_fill).
        parser.error(
            f"--messages must be at least {102 * args.conversations} for "
            f"{args.conversations} conversations: they are spread over twice as many rooms, and "
            "some conversations are 50 or more behind"
        )
    return args


def _fill(conversations: int, messages: int) -> object:
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from chat.models import Membership, Mention, Message, Room

    rng = random.Random(9)
    reader = User.objects.create(username="reader")
    authors = User.objects.bulk_create([User(username=f"author{i}") for i in range(50)])
    rooms = Room.objects.bulk_create(
        [
            Room(
                slug=f"room-{i}",
                name=f"Room {i}",
                kind=Room.Kind.DM if i % 10 == 9 else Room.Kind.CHANNEL,
                dm_key=f"dm-{i}" if i % 10 == 9 else None,
                private=i % 10 == 9,
            )
            for i in range(2 * conversations)  # the reader is in the first half
        ]
    )
    per_room = messages // len(rooms)
    now = timezone.now()
    batch: list[Message] = []
    mentions: list[tuple[int, int]] = []  # (room index, seq)
    with transaction.atomic():
        for index, room in enumerate(rooms):
            for seq in range(1, per_room + 1):
                mention = index < conversations and rng.random() < 0.01
                batch.append(
                    Message(
                        room=room,
                        seq=seq,
                        event_seq=seq,
                        version=seq,
                        author=authors[rng.randrange(len(authors))],
                        body="@reader look" if mention else "hello there",
                        html="<p>hello</p>",
                        client_id=uuid.UUID(int=rng.getrandbits(128)),
                        created_at=now,
                    )
                )
                if mention:
                    mentions.append((index, seq))
                if len(batch) >= 20_000:
                    Message.objects.bulk_create(batch)
                    batch.clear()
        Message.objects.bulk_create(batch)
        Room.objects.update(last_seq=per_room, last_event_seq=per_room)
        # Unread runs of every length: most conversations read, some a little behind, a few
        # far behind (a busy channel not opened for weeks).
        behind = [0] * (conversations * 6 // 10) + [
            rng.randrange(1, 50) for _ in range(conversations * 3 // 10)
        ]
        behind += [rng.randrange(50, per_room) for _ in range(conversations - len(behind))]
        rng.shuffle(behind)
        Membership.objects.bulk_create(
            [
                Membership(room=rooms[i], user=reader, last_read=per_room - behind[i])
                for i in range(conversations)
            ]
        )
        ids = dict(
            ((room_id, seq), pk)
            for pk, room_id, seq in Message.objects.filter(body="@reader look").values_list(
                "pk", "room_id", "seq"
            )
        )
        Mention.objects.bulk_create(
            [
                Mention(message_id=ids[rooms[i].pk, seq], user=reader, room=rooms[i], event_seq=seq)
                for i, seq in mentions
            ]
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics, as a live database has them
    return reader


def _measure(reader, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chat.selectors import conversation_list

    with CaptureQueriesContext(connection) as queries:
        listed = conversation_list(user=reader)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        conversation_list(user=reader)
        times.append(time.perf_counter() - started)
    times.sort()
    return {
        "conversations": len(listed),
        "unread": sum(c["unread"] for c in listed),
        "mentions": sum(c["mentions"] for c in listed),
        "queries": len(queries),
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1] * 1000, 1),
    }


def _percentiles(values: list[float]) -> tuple[float, float]:
    """The median and the 95th percentile (the nearest rank)."""
    ordered = sorted(values)
    return statistics.median(ordered), ordered[math.ceil(len(ordered) * 0.95) - 1]


def connect(reader, runs: int, profile: bool = False) -> dict:
    """The reader's connect `runs` times (after one to warm up, which counts the queries): wall,
    CPU of this process (the server and the test client in it) and, on PostgreSQL, CPU of the
    database connection's backend, for `ready` (handshake to `ready` received) and for the
    follow (the subscribes sent to their last answer); frames other than `subscribed` that came
    in the follow, by type. Call it outside an event loop."""
    from accounts.services import token_issue_for

    token = token_issue_for(user=reader)[1]
    return asyncio.run(_connects(token, runs, profile))


async def _connects(token: str, runs: int, profile: bool) -> dict:
    from channels.db import database_sync_to_async
    from django.db import connections

    from config.asgi import application

    frames: Counter = Counter()
    warm = await _connect_once(application, token, frames, count_queries=True)
    samples = [await _connect_once(application, token, frames) for _ in range(runs)]
    result: dict = {
        "conversations": warm["conversations"],
        "followed": warm["followed"],
        "queries": warm["queries"],
        "other_frames": dict(frames),
    }
    for phase in ("ready", "follow", "close"):
        result[phase] = {
            measure: [round(p * 1000, 1) for p in _percentiles([s[phase][i] for s in samples])]
            for i, measure in enumerate(("wall_ms", "cpu_ms", "db_cpu_ms"))
        }
    if profile:
        result["profile"] = await _profiled(application, token)
    await database_sync_to_async(connections.close_all)()  # the socket's database thread's
    return result


async def _connect_once(
    application, token: str, frames: Counter, count_queries: bool = False
) -> dict:
    import orjson

    communicator = _communicator()(
        application, "/ws/?protocol=2", headers=[(b"authorization", f"Bearer {token}".encode())]
    )
    database = await _database_pid()
    queries = [await _queries(count_queries)]
    ready_from = _mark(database)
    connected, code = await communicator.connect(TIMEOUT)
    if not connected:
        raise SystemExit(f"the reader's socket was refused with close code {code}")
    hello, ready = [orjson.loads(await communicator.receive_from(TIMEOUT)) for _ in range(2)]
    if (hello["type"], ready["type"]) != ("hello", "ready"):
        raise SystemExit(f"expected hello and ready, got {hello['type']} and {ready['type']}")
    ready_to = _mark(database)
    queries.append(await _queries(count_queries))
    followed = [c for c in ready["conversations"] if not c["archived"]][:FOLLOWED]
    follow_from = _mark(database)
    for conversation in followed:  # as socket.js sends them, unpaced
        slug = conversation["room"]
        frame = {"type": "subscribe", "room": slug, "ref": f"{REF}{slug}"}
        await communicator.send_to(
            text_data=orjson.dumps(frame | {"since": conversation["seq"]}).decode()
        )
    waiting = len(followed)
    while waiting:
        frame = orjson.loads(await communicator.receive_from(TIMEOUT))
        if frame["type"] != "subscribed":
            frames[frame["type"]] += 1
        if frame["type"] in ("subscribed", "error") and frame.get("ref", "").startswith(REF):
            waiting -= 1  # an error answers its subscribe too (and is counted above)
    follow_to = _mark(database)
    queries.append(await _queries(False))
    while not await communicator.receive_nothing(0.2):  # anything after the last answer
        frames[orjson.loads(await communicator.receive_from(TIMEOUT))["type"]] += 1
    close_from = _mark(database)
    await communicator.disconnect(timeout=TIMEOUT)
    close_to = _mark(database)
    return {
        "conversations": len(ready["conversations"]),
        "followed": len(followed),
        "queries": {"ready": queries[1] - queries[0], "follow": queries[2] - queries[1]},
        "ready": _span(ready_from, ready_to),
        "follow": _span(follow_from, follow_to),
        "close": _span(close_from, close_to),
    }


def _communicator() -> type:
    """Channels' WebsocketCommunicator without its test patch: while it sends or waits, it makes
    channels.db.close_old_connections a no-op (for tests in a transaction), which a server does
    not do; with CONN_HEALTH_CHECKS, that call makes the next query check the connection first
    (a `SELECT 1` on PostgreSQL), as in production."""
    from asgiref.testing import ApplicationCommunicator
    from channels.testing import WebsocketCommunicator

    class Communicator(WebsocketCommunicator):
        async def send_input(self, message):
            return await ApplicationCommunicator.send_input(self, message)

        async def receive_output(self, timeout=1):  # noqa: ASYNC109 (its signature)
            return await ApplicationCommunicator.receive_output(self, timeout)

    return Communicator


def _span(start: tuple, end: tuple) -> tuple[float, ...]:
    return tuple(b - a for a, b in zip(start, end, strict=True))


def _mark(database: int | None) -> tuple[float, float, float]:
    return (
        time.perf_counter(),
        time.process_time(),
        cpu_seconds(database) if database is not None else 0.0,
    )


async def _database_pid() -> int | None:
    """The PostgreSQL backend of the connection the socket's queries use (Channels runs them
    all on one thread), or None on SQLite."""
    from channels.db import database_sync_to_async
    from django.db import connection

    def pid() -> int | None:
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    return await database_sync_to_async(pid)()


async def _queries(record: bool) -> int:
    """How many queries the socket's database thread has run since it began recording them;
    records from now on when `record`, stops when not."""
    from channels.db import database_sync_to_async
    from django.db import connection

    def count() -> int:
        counted = len(connection.queries_log)
        connection.force_debug_cursor = record
        return counted

    return await database_sync_to_async(count)()


async def _profiled(application, token: str) -> str:
    """One more connect under cProfile, on the event loop's thread and on the database thread:
    each one's functions by cumulative time, then by their own time."""
    from channels.db import database_sync_to_async

    loop, database = cProfile.Profile(), cProfile.Profile()
    await database_sync_to_async(database.enable)()
    loop.enable()
    await _connect_once(application, token, Counter())
    loop.disable()
    await database_sync_to_async(database.disable)()
    out = io.StringIO()
    for name, profiler in (("event loop", loop), ("database thread", database)):
        out.write(f"--- {name} ---\n")
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(25)
        stats.sort_stats("tottime").print_stats(15)
    return out.getvalue()


def main(argv: list[str]) -> None:
    args = _arguments(argv)
    with throwaway_database(args.engine, name="unread", postgres=args.postgres):
        started = time.perf_counter()
        reader = _fill(args.conversations, args.messages)
        filled = time.perf_counter() - started
        result = _measure(reader, args.runs)
        if args.explain:
            from chat.selectors import conversation_counts

            print(conversation_counts(user=reader).explain(analyze=True))
        print(
            f"{args.engine}: {args.messages} messages, {args.conversations} conversations "
            f"(filled in {filled:.0f} s): {result}"
        )
        if args.connect:
            connected = connect(reader, args.runs, profile=args.profile)
            profile = connected.pop("profile", None)
            print(f"{args.engine}: connect (hello + ready, then the follow): {connected}")
            print(f"{args.runs} connects of the reader (p50 / p95, ms):")
            print("| phase | wall | CPU, this process | CPU, PostgreSQL's backend |")
            print("|---|---|---|---|")
            for phase in ("ready", "follow", "close"):
                cells = [
                    "{} / {}".format(*connected[phase][m])
                    for m in ("wall_ms", "cpu_ms", "db_cpu_ms")
                ]
                if args.engine == "sqlite":
                    cells[2] = "(SQLite runs in this process)"
                print(f"| {phase} | " + " | ".join(cells) + " |")
            if profile:
                print(profile)


if __name__ == "__main__":
    main(sys.argv[1:])
