"""The channel layer of the embedded mode: Channels' in-memory layer, with its clean-up of
expired messages and group memberships run at most once a second.

Upstream runs `_clean_expired` on every `receive` and `group_send`, and each run walks every
channel and every group. The room hub adds a group per signed-in user with a socket (the
per-user stream, realtime/delivery/hub.py), so that walk grew with the users online and cost a few per
cent of a post-heavy benchmark. Expiry is counted in seconds (`expiry` 60, `group_expiry` a
day), so cleaning at most once a second only lets something expire up to a second later.
"""

import time

from channels.layers import InMemoryChannelLayer

CLEAN_INTERVAL = 1.0  # seconds between two walks over every channel and group


class InMemoryLayer(InMemoryChannelLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._cleaned_at: float | None = None

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if self._cleaned_at is not None and now - self._cleaned_at < CLEAN_INTERVAL:
            return
        self._cleaned_at = now
        super()._clean_expired()
