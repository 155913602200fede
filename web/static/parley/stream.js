// One room's event stream as socket.js follows it: the cursor (the last contiguous event seq),
// the changes that wait behind a gap, and the newest version of each message handed to the
// page (the version rule). No socket and no DOM here.

// The message ids a change is about, with the version each is at after it: the changed
// message at the frame's seq (or later: a replayed change carries its message as it is now),
// and a thread root whose summary the frame carries at the summary's version.
export function changeTargets(frame) {
  const targets = [];
  const id = frame.message?.id ?? frame.message_id;
  if (id !== undefined) targets.push([id, Math.max(frame.seq, frame.message?.version ?? 0)]);
  if (frame.root) targets.push([frame.root.id, frame.root.version]);
  return targets;
}

// Per-room event seq bookkeeping. `contiguous`: every change up to it (since the
// subscription's start) has been emitted; `waiting`: changes above it, held back until the
// gap below them is filled, so that changes are emitted in seq order (the version rule relies
// on it: a change applied early would make an earlier one look stale).
export class RoomStream {
  constructor(slug) {
    this.slug = slug;
    this.contiguous = null; // null until the first `subscribed`
    this.waiting = new Map(); // seq -> frame
    this.subscribed = false; // on the current socket
    this.resyncing = false; // subscribed again to fill a gap, which is not filled yet
    this.versions = new Map(); // message id -> the newest version the page was given
  }

  restart(lastSeq) {
    this.contiguous = lastSeq;
    this.waiting.clear();
    this.resyncing = false;
  }

  // The changes `frame` makes ready to emit, in seq order: none for one seen before or one
  // that waits behind a gap.
  take(frame) {
    if (frame.seq <= this.contiguous || this.waiting.has(frame.seq)) return [];
    this.waiting.set(frame.seq, frame);
    const ready = [];
    while (this.waiting.has(this.contiguous + 1)) {
      this.contiguous += 1;
      ready.push(this.waiting.get(this.contiguous));
      this.waiting.delete(this.contiguous);
    }
    return ready;
  }

  hasGap() {
    return this.waiting.size > 0;
  }

  // The version rule: a frame about a message the page already holds at `seq` or later
  // changes nothing.
  stale(frame) {
    const id = frame.message?.id ?? frame.message_id;
    return id !== undefined && (this.versions.get(id) ?? 0) >= frame.seq;
  }

  noteVersion(id, version) {
    if (typeof version === "number" && version > (this.versions.get(id) ?? 0)) this.versions.set(id, version);
  }

  noteMessages(messages) {
    for (const message of messages) this.noteVersion(message.id, message.version);
  }
}
