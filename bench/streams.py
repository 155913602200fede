"""Exactly-once, in-order accounting of what one receiver got from one stream.

A stream is a sequence of integer ids that should arrive 0/1/2... (or from a start) each once,
in order: a room's `seq` on Parley's protocol v1, a sender's message counter on the tutorial
protocol (no seq there, so the benchmark numbers its payloads). Ids skipped over are holes;
a hole filled later is a reordering; an id seen twice is a duplicate.
"""


class Stream:
    __slots__ = ("dups", "holes", "next", "reordered")

    def __init__(self, first: int = 0):
        self.next = first  # the id expected next
        self.holes: set[int] = set()
        self.dups = 0
        self.reordered = 0

    def see(self, i: int) -> bool:
        """Record id `i`; True when it is new (not a duplicate)."""
        if i == self.next:
            self.next = i + 1
            return True
        if i > self.next:
            self.holes.update(range(self.next, i))
            self.next = i + 1
            return True
        if i in self.holes:
            self.holes.discard(i)
            self.reordered += 1
            return True
        self.dups += 1
        return False

    def missing(self, last: int) -> int:
        """Ids up to and including `last` not received (holes + the tail not yet seen)."""
        return len(self.holes) + max(0, last + 1 - self.next)
