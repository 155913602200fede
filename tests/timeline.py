"""A protocol v2 client's copy of a room, rebuilt from room change frames by the rules of
docs/protocol.md ("Room changes (version 2)"): each frame once, in seq order; a frame about a
message at or below the message's `version` is skipped; a message a frame carries replaces the
held one when it is newer; a thread summary updates its root's thread fields."""

import copy

THREAD_FIELDS = ("reply_count", "last_reply_at", "repliers")
ROOM_CHANGES = {
    "message",
    "message_edited",
    "message_deleted",
    "reaction_added",
    "reaction_removed",
    "message_pinned",
    "message_unpinned",
    "room_updated",
    "member",
}


class Timeline:
    def __init__(self, seq: int = 0):
        self.seq = seq
        self.messages: dict[int, dict] = {}
        self.name: str | None = None
        self.topic: str | None = None

    def apply(self, frame: dict) -> None:
        assert frame["seq"] == self.seq + 1, f"expected seq {self.seq + 1}, got {frame}"
        self.seq = frame["seq"]
        kind = frame["type"]
        if kind == "room_updated":
            self.name, self.topic = frame["name"], frame["topic"]
            return
        if kind == "member":
            return
        root = frame.get("root")
        if root is not None and root["id"] in self.messages:
            held = self.messages[root["id"]]
            if root["version"] > held["version"]:
                held.update({field: root[field] for field in (*THREAD_FIELDS, "version")})
        if "message" in frame:
            message = frame["message"]
            held = self.messages.get(message["id"])
            if held is None or message["version"] > held["version"]:
                self.messages[message["id"]] = copy.deepcopy(message)
            return
        held = self.messages[frame["message_id"]]
        if frame["seq"] <= held["version"]:
            return
        held["version"] = frame["seq"]
        if kind in ("message_pinned", "message_unpinned"):
            held["pinned"] = kind == "message_pinned"
            return
        entries = held["reactions"]
        entry = next((e for e in entries if e["emoji"] == frame["emoji"]), None)
        if entry is None:
            entry = {"emoji": frame["emoji"], "count": 0, "users": []}
            entries.append(entry)
        entry["count"] = frame["count"]
        if kind == "reaction_added":
            entry["users"].append(frame["user"])
        else:
            entry["users"].remove(frame["user"])
        if not entry["count"]:
            entries.remove(entry)
