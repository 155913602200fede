"""`python -m bench.unread [--engine sqlite|postgres] [--conversations 500] [--messages 1000000]`:
how long the `ready` frame's counts take for one user in many conversations of a big database
(docs/performance.md, "Unread counts").

Builds a throwaway database (a temporary SQLite file, or a new PostgreSQL database on the
machine's server, dropped afterwards), fills it with `--messages` messages spread over
`--conversations` rooms and DMs the reader is in (and as many rooms it is not in), with unread
runs of every length and a mention in one message of a hundred, then times
`chat.selectors.conversation_list` (what `ready` and GET /conversations answer) `--runs` times.
Bounded: it stops by itself; it opens no socket.
"""

import argparse
import random
import statistics
import sys
import time
import uuid

from .database import POSTGRES, throwaway_database


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.unread")
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--conversations", type=int, default=500)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--explain", action="store_true", help="print the counting query's plan")
    parser.add_argument("--postgres", default=POSTGRES, help="server to use")
    return parser.parse_args(argv)


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


if __name__ == "__main__":
    main(sys.argv[1:])
