"""What the multi-process and fault tests check, and how they place their clients."""

import psycopg

from .chat_client import ChatClient


def stored(database_url: str, room: str = "general") -> list[tuple[int, str, str]]:
    """(seq, body, client_id) of every stored message in the room, by seq."""
    with psycopg.connect(database_url) as connection:
        return connection.execute(
            "SELECT m.seq, m.body, m.client_id::text FROM chat_message m JOIN chat_room r ON r.id = m.room_id"
            " WHERE r.slug = %s ORDER BY m.seq",
            [room],
        ).fetchall()


def assert_everyone_saw_everything(
    clients: list[ChatClient], database_url: str, room: str = "general"
):
    """The room's seqs are contiguous; every client received every stored message exactly
    once, in seq order; every ack names a stored row."""
    rows = stored(database_url, room)
    assert [seq for seq, _, _ in rows] == list(range(1, len(rows) + 1)), "seqs are contiguous"
    for client in clients:
        seen = [
            (frame["seq"], frame["body"], frame["client_id"]) for frame in client.received[room]
        ]
        assert seen == rows, f"{client.name} saw every message exactly once, in order"
        acked = {(seq, client_id) for seq, _, client_id in rows}
        assert all((seq, client_id) in acked for client_id, seq in client.acks.items()), (
            "acks name rows"
        )


async def clients_on(
    servers, tokens: dict[str, str], names, room: str = "general"
) -> list[ChatClient]:
    """One client per name, dealt round the servers (each falls back to the next), subscribed."""
    clients = []
    for i, name in enumerate(names):
        urls = [server.ws_url for server in servers]
        client = await ChatClient(
            name, tokens[name], urls[i % len(urls) :] + urls[: i % len(urls)]
        ).start()
        await client.subscribe(room)
        clients.append(client)
    return clients
