"""Presence: who is online, away or offline, combined over every socket of a user, in every
server process (docs/protocol.md, "Presence"; docs/architecture.md, "Presence").

- `backends`: where each socket's entry lives, with a TTL (in memory, or in Redis), and the
  rule that combines a user's entries into one state.
- `tracker`: one per process: the process's sockets' entries and their heartbeats, the sweep
  that expires the entries of sockets that died without closing, the changes between processes
  (a layer group), and the batched `presence` frames to the sockets that show a user.

Presence is not a domain event: it is derived from sockets, stored nowhere durable, and lives
in the transport that owns the sockets.
"""
