"""The scenarios and the targets, and who is where: which socket is in which room, which
sockets send."""

from dataclasses import dataclass

from .servers import SERVERS, ServerKind


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    kind: str  # open (offered rate stepped up) | closed (senders in flight stepped up) | idle
    rooms: int = 0
    members: int = 0  # per room
    senders: int = 0  # per room
    start_rate: float = 0.0  # messages a second, all rooms together (open)
    closed_steps: tuple[int, ...] = ()  # senders per room with one message in flight (closed)
    idle_levels: tuple[int, ...] = ()  # connections held (idle)

    def slugs(self) -> list[str]:
        return [f"{self.key}-{r}" for r in range(self.rooms or 100)]


SCENARIOS = {
    s.key: s
    for s in (
        Scenario(
            "a",
            "1 room x 1000 members, open loop",
            "open",
            rooms=1,
            members=1000,
            senders=10,
            start_rate=2,
        ),
        Scenario(
            "b",
            "100 rooms x 10 members, open loop",
            "open",
            rooms=100,
            members=10,
            senders=1,
            start_rate=50,
        ),
        Scenario(
            "c",
            "10 rooms x 20 members, closed loop",
            "closed",
            rooms=10,
            members=20,
            senders=20,
            closed_steps=(1, 2, 5, 10, 20),
        ),
        Scenario("d", "idle connections", "idle", rooms=100, idle_levels=(1000, 5000, 10000)),
    )
}

# Senders the fixtures must hold tokens for: the most any scenario uses.
MAX_SENDERS = max(s.rooms * s.senders for s in SCENARIOS.values())


def all_slugs() -> list[str]:
    return [slug for s in SCENARIOS.values() for slug in s.slugs()]


def layout(scenario: Scenario, tokens: list[str] | None) -> list[dict]:
    """Every member: its room, and its sender number when it sends (spread evenly through the
    room, so that a block of members given to one load process holds some of the senders)."""
    members, sender = [], 0
    every = max(1, scenario.members // max(1, scenario.senders))
    for r in range(scenario.rooms):
        for p in range(scenario.members):
            sends = scenario.senders > 0 and p % every == 0 and p // every < scenario.senders
            spec = {
                "index": len(members),
                "room": f"{scenario.key}-{r}",
                "sender": None,
                "token": None,
            }
            if sends:
                spec["sender"] = sender
                spec["token"] = tokens[sender] if tokens else None
                sender += 1
            members.append(spec)
    return members


@dataclass(frozen=True)
class Target:
    """What the load is pointed at: a server and the protocol it is driven with."""

    name: str
    server: ServerKind
    proto: str  # v1 | v2 | tutorial
    role: str  # subject | baseline | ceiling

    @property
    def baseline(self) -> str:
        return "tutorial-redis" if self.server.layer == "redis" else "tutorial-inmemory"


CEILING = "bare-ws"

TARGETS = {
    t.name: t
    for t in (
        Target("parley-embedded/v1", SERVERS["parley-embedded"], "v1", "subject"),
        Target("parley-embedded/v2", SERVERS["parley-embedded"], "v2", "subject"),
        Target("parley-embedded/tutorial", SERVERS["parley-embedded"], "tutorial", "subject"),
        Target("tutorial-inmemory", SERVERS["tutorial-inmemory"], "tutorial", "baseline"),
        Target("parley-production/v1", SERVERS["parley-production"], "v1", "subject"),
        Target("parley-production/tutorial", SERVERS["parley-production"], "tutorial", "subject"),
        Target("tutorial-redis", SERVERS["tutorial-redis"], "tutorial", "baseline"),
        Target("tutorial-defaults", SERVERS["tutorial-defaults"], "tutorial", "reference"),
        Target(CEILING, SERVERS["bare-ws"], "tutorial", "ceiling"),
    )
}

# Which targets run which kind of scenario by default.
FANOUT_TARGETS = [
    "parley-embedded/v1",
    "parley-embedded/tutorial",
    "tutorial-inmemory",
    "parley-production/v1",
    "parley-production/tutorial",
    "tutorial-redis",
    CEILING,
]
IDLE_TARGETS = [
    "parley-embedded/v1",
    "tutorial-inmemory",
    "tutorial-defaults",
    "parley-production/v1",
    "tutorial-redis",
    CEILING,
]
QUICK_TARGETS = ["parley-embedded/v1", "tutorial-inmemory", CEILING]
