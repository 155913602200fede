"""Delivery: how committed room events reach sockets, exactly once and in order.

- `fanout`: the publisher's side (parley/events.py's backend): an event into the layer.
- `hub`: one per process; hears each room once through the layer and offers its events to the
  process's feeds.
- `feed`: one per socket; the only writer of room events to it (cursors, backlog, holds,
  replay, refill).
- `encoders`: one per endpoint; what its sockets get for an event, and which counter they follow.
- `source`: what the database answers when the layer did not bring it.

The channel layers themselves are realtime/layers.py (Redis) and realtime/memory_layer.py.
"""
