// Posts not yet acknowledged, in the order they were made, each with the client_id it keeps
// for every retry (and, for a thread reply, its thread and whether it goes to the room too). Kept in sessionStorage (when there is one), so that a reload of the page
// retries them instead of losing them; the server stores a client_id once.

const STORAGE_KEY = "parley.outbox";

// U+0000, or half of a surrogate pair (half an emoji, say): text the server refuses to store
// on any engine (parley/text.py). A lone surrogate even makes the frame unreadable JSON, so
// the server cannot say which post it refused: such text is never queued.
const UNSENDABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function isSendable(text) {
  return typeof text === "string" && !UNSENDABLE.test(text);
}

export function newClientId() {
  // randomUUID exists only in secure contexts (https, localhost); plain-http LAN deployments
  // get a version-4 UUID made from getRandomValues instead.
  if (globalThis.crypto && typeof crypto.randomUUID === "function") {
    return crypto.randomUUID();
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// sessionStorage, or null where it is missing or refused (storage blocked by the browser).
export function sessionStore() {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

function entry(room, body, clientId, threadRoot, alsoToRoom, files = []) {
  return { room, body, client_id: clientId, thread_root: threadRoot, also_to_room: alsoToRoom, files, sent: false };
}

export class Outbox {
  constructor(storage) {
    this.storage = storage;
    // client_id -> {room, body, client_id, thread_root, also_to_room, files, sent}; `sent`: on
    // the current socket, unanswered. `thread_root`: null for a post to the room. `files`: ids
    // of uploads the post carries.
    this.entries = new Map();
    this.load();
  }

  get size() {
    return this.entries.size;
  }

  add(room, body, clientId, { threadRoot = null, alsoToRoom = false, files = [] } = {}) {
    this.entries.set(clientId, entry(room, body, clientId, threadRoot, alsoToRoom, files));
    this.save();
  }

  get(clientId) {
    return this.entries.get(clientId);
  }

  has(clientId) {
    return this.entries.has(clientId);
  }

  // Removes a settled post; false when it was not (or no longer) waiting.
  take(clientId) {
    if (!this.entries.delete(clientId)) return false;
    this.save();
    return true;
  }

  forRoom(room) {
    return [...this.entries.values()].filter((entry) => entry.room === room);
  }

  values() {
    return this.entries.values();
  }

  // The socket dropped: whatever was sent on it must be sent again.
  unsend() {
    for (const entry of this.entries.values()) entry.sent = false;
  }

  load() {
    try {
      const saved = JSON.parse(this.storage?.getItem(STORAGE_KEY) || "[]");
      for (const { room, body, client_id, thread_root = null, also_to_room = false, files = [] } of saved) {
        // A post an older page stored that the server would refuse is dropped, not retried
        // behind the others after every reload.
        if (typeof room !== "string" || typeof client_id !== "string" || !isSendable(body)) continue;
        if (thread_root !== null && !Number.isInteger(thread_root)) continue;
        const ids = Array.isArray(files) ? files.filter(Number.isInteger) : [];
        this.entries.set(client_id, entry(room, body, client_id, thread_root, also_to_room === true, ids));
      }
    } catch {
      // storage unavailable or corrupt: start empty
    }
  }

  save() {
    try {
      const saved = [...this.entries.values()].map(({ sent, ...kept }) => kept);
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(saved));
    } catch {
      // storage full or unavailable: the outbox still lives in memory
    }
  }
}
