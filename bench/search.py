"""`python -m bench.search [--engine sqlite|postgres] [--messages 1000000] [--runs 20]`: how
long a search takes in a big database (docs/performance.md, "Issue 10: search").

Builds a throwaway database (a temporary SQLite file, or a new PostgreSQL database on the
machine's server, dropped afterwards), migrates all but search, fills it with `--messages` messages over
`--rooms` rooms (one in ten private, the searcher in those and in a few others) written over a
year by 200 people, each message 4-24 words drawn from a Zipf-like vocabulary (a few words in
many messages, most words in few), some with a link or a stock phrase; then runs search's own
migration, which indexes them all (the backfill an upgrade runs), and times
`search.selectors.message_search` (what GET /api/v1/search and the `search` frame answer, a
page of 20 with snippets) `--runs` times for each query of QUERIES. Bounded: it stops by
itself; it opens no socket.
"""

import argparse
import itertools
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta

from .database import POSTGRES, throwaway_database

# Real words first (the common ones), then made-up ones for the long tail of rare words.
COMMON = (
    "build deploy release test server client error fix update merge review issue please "
    "thanks today tomorrow meeting check branch config database query cache login page "
    "failed broken works ready done problem network latency team design notes plan docs "
    "customer ticket support feature bug patch version rollback staging production alert "
    "monitor metrics dashboard memory disk migration schema index backup restore token"
).split()
SYLLABLES = "ka lo mi ne ru sa ti vo ze pa qui ber dan fel gor hix jum kel mor nup".split()
PHRASES = ("release notes", "on call", "pull request", "root cause")

# (label, query) as a person would type them; {room}, {author} and {day} are filled in.
QUERIES = (
    ("common word", "deploy"),
    ("rare word", "{rare}"),
    ("two words", "deploy failed"),
    ("phrase", '"release notes"'),
    ("word in:#room", "deploy in:#{room}"),
    ("word from:@user", "deploy from:@{author}"),
    ("word has:link", "error has:link"),
    ("word after:date", "rollback after:{day}"),
    ("filters only", "from:@{author} has:link"),
    ("no match", "zzyzx"),
)


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.search")
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--rooms", type=int, default=200)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--postgres", default=POSTGRES, help="server to use")
    return parser.parse_args(argv)


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    made_up = {
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randrange(2, 4))) for _ in range(6000)
    }
    words = COMMON + sorted(made_up - set(COMMON))
    rng.shuffle(words)  # which word is common is chance, not the list's order
    for pinned, rank in (("deploy", 40), ("failed", 90), ("error", 25), ("rollback", 300)):
        words.remove(pinned)
        words.insert(rank, pinned)
    return words, [1.0 / (rank + 1) for rank in range(len(words))]


def _fill(messages: int, rooms_count: int) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from chat.models import Membership, Message, Room

    rng = random.Random(10)
    words, weights = _vocabulary(rng)
    cumulative = list(itertools.accumulate(weights))
    searcher = User.objects.create(username="searcher")
    authors = User.objects.bulk_create([User(username=f"author{i}") for i in range(200)])
    rooms = Room.objects.bulk_create(
        [Room(slug=f"room-{i}", name=f"Room {i}", private=i % 10 == 9) for i in range(rooms_count)]
    )
    Membership.objects.bulk_create(
        [Membership(room=room, user=searcher) for i, room in enumerate(rooms) if i % 20 in (0, 9)]
    )
    now = timezone.now()
    year = timedelta(days=365).total_seconds()
    per_room = [0] * len(rooms)
    batch: list[Message] = []
    with transaction.atomic():
        for n in range(messages):
            index = rng.randrange(len(rooms))
            per_room[index] += 1
            text = rng.choices(words, cum_weights=cumulative, k=rng.randrange(4, 25))
            if rng.random() < 0.05:
                text.insert(rng.randrange(len(text)), rng.choice(PHRASES))
            link = rng.random() < 0.05
            if link:
                text.append(f"https://example.com/{rng.choice(words)}")
            body = " ".join(text)
            batch.append(
                Message(
                    room=rooms[index],
                    seq=per_room[index],
                    event_seq=per_room[index],
                    version=per_room[index],
                    author=authors[rng.randrange(len(authors))],
                    body=body,
                    html=f'<p><a href="{text[-1]}">…</a></p>' if link else f"<p>{body}</p>",
                    client_id=uuid.UUID(int=rng.getrandbits(128)),
                    created_at=now - timedelta(seconds=year * (1 - n / messages)),
                )
            )
            if len(batch) >= 20_000:
                Message.objects.bulk_create(batch)
                batch.clear()
        Message.objects.bulk_create(batch)
        for room, last in zip(rooms, per_room, strict=True):
            room.last_seq = room.last_event_seq = last
        Room.objects.bulk_update(rooms, ["last_seq", "last_event_seq"])
    return {
        "searcher": searcher,
        "rare": words[2500],
        "room": rooms[0].slug,
        "author": authors[7].username,
        "day": (now - timedelta(days=30)).date().isoformat(),
    }


def _measure(filled: dict, runs: int) -> list[tuple[str, str, int, float, float]]:
    from search.selectors import message_search

    rows = []
    for label, template in QUERIES:
        query = template.format(**filled)
        found = len(message_search(user=filled["searcher"], query=query)["results"])
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            message_search(user=filled["searcher"], query=query)
            times.append(time.perf_counter() - started)
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        rows.append((label, query, found, statistics.median(times) * 1000, p99 * 1000))
    return rows


def main(argv: list[str]) -> None:
    args = _arguments(argv)
    with throwaway_database(args.engine, name="search", postgres=args.postgres):
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", "search", "zero", verbosity=0)  # indexed after the fill
        started = time.perf_counter()
        filled = _fill(args.messages, args.rooms)
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        call_command("migrate", "search", verbosity=0)  # builds the index over them all
        indexed = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"{args.engine}: {args.messages} messages in {args.rooms} rooms "
            f"(written in {seeded:.0f} s, indexed by the migration in {indexed:.0f} s); "
            f"{args.runs} runs of each query, a page of 20:"
        )
        print("| query | typed | results | p50 ms | p99 ms |")
        print("|---|---|---|---|---|")
        for label, query, found, p50, p99 in _measure(filled, args.runs):
            print(f"| {label} | `{query}` | {found} | {p50:.1f} | {p99:.1f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
