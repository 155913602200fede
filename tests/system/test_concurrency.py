"""Seq allocation and idempotency across processes on PostgreSQL: writers in separate processes
post into one room at the same moment (tests/system/writer.py)."""

import itertools
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from .checks import stored
from .engines import production_env
from .server import ROOT

pytestmark = pytest.mark.system
WRITERS = 4


def run_writers(
    database_url: str, redis_url: str, jobs: list[tuple[str, list[str]]], ready: Path
) -> list[list]:
    """Start one process per (username, client_ids) job; all begin posting at the same time."""
    env = {**os.environ, **production_env(database_url, redis_url)}
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.system.writer",
                username,
                "general",
                str(ready),
                str(len(jobs)),
                *client_ids,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for username, client_ids in jobs
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def test_seqs_stay_contiguous_with_writers_in_different_processes(engines, database, tmp_path):
    per_writer = 50
    users = ["alice", "bob", "carol", "dave"][:WRITERS]
    jobs = [(user, [str(uuid.uuid4()) for _ in range(per_writer)]) for user in users]

    results = run_writers(database, engines.redis_url, jobs, tmp_path)

    rows = stored(database)
    assert [seq for seq, _, _ in rows] == list(range(1, WRITERS * per_writer + 1))
    for result in results:
        seqs = [seq for _, seq, _ in result]
        assert seqs == sorted(seqs) and all(created for _, _, created in result)
        assert any(b - a > 1 for a, b in itertools.pairwise(seqs)), "the writers did interleave"
    assert len({seq for result in results for _, seq, _ in result}) == WRITERS * per_writer


def test_the_same_client_id_from_every_process_is_stored_once(engines, database, tmp_path):
    client_ids = [str(uuid.uuid4()) for _ in range(20)]
    # One author retrying each post from several processes at once, as after a reconnect.
    results = run_writers(database, engines.redis_url, [("alice", client_ids)] * WRITERS, tmp_path)

    rows = stored(database)
    assert [seq for seq, _, _ in rows] == list(range(1, len(client_ids) + 1))
    seq_of = {client_id: seq for seq, _, client_id in rows}
    for client_id in client_ids:
        answers = [
            (seq, created) for result in results for cid, seq, created in result if cid == client_id
        ]
        assert {seq for seq, _ in answers} == {seq_of[client_id]}, "every process got the same seq"
        assert sum(created for _, created in answers) == 1, "exactly one process stored it"
