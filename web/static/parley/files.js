// Files: how a message's attachments look (images inline, every other file a download link),
// and the composer's pending uploads (chips with a progress bar each, removable until sent).
//
// An image is drawn in a box of its own size scaled into MAX_BOX, its width and height set
// before it loads, so the log does not jump when it arrives; the thumbnail is shown once the
// server made it (a `message_updated` brings it), the full image until then, and a click opens
// the full image. Names reach the page through textContent and attributes, never as HTML.

import { el } from "./render.js";

const MAX_BOX = { width: 360, height: 240 }; // CSS pixels an inline image may take
const UPLOAD_URL = (slug) => `/api/v1/rooms/${encodeURIComponent(slug)}/files`;

// "812 B", "48.2 KB", "3.1 MB".
export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

// The size an image of `width` x `height` is shown at: scaled down into MAX_BOX, aspect kept.
export function displaySize(width, height) {
  const scale = Math.min(1, MAX_BOX.width / width, MAX_BOX.height / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

function imageNode(attachment) {
  const { image } = attachment;
  const link = el("a", "attachment attachment-image");
  link.href = attachment.url;
  link.target = "_blank";
  link.rel = "noopener";
  link.title = `${attachment.name} (${formatSize(attachment.size)}): open the full image`;
  const picture = document.createElement("img");
  const shown = displaySize(image.width, image.height);
  picture.width = shown.width;
  picture.height = shown.height;
  picture.alt = attachment.name;
  picture.loading = "lazy";
  picture.decoding = "async";
  picture.src = image.thumbnail ? image.thumbnail.url : attachment.url;
  if (image.thumbnail) picture.dataset.thumbnail = "true";
  link.append(picture);
  return link;
}

function fileNode(attachment) {
  const link = el("a", "attachment attachment-file");
  link.href = attachment.url;
  link.setAttribute("download", "");
  link.append(el("span", "attachment-icon", "📄"), el("span", "attachment-name", attachment.name), el("span", "attachment-size", formatSize(attachment.size)));
  link.setAttribute("aria-label", `Download ${attachment.name}, ${formatSize(attachment.size)}`);
  link.querySelector(".attachment-icon").setAttribute("aria-hidden", "true");
  return link;
}

// A message's files, or null when it has none.
export function attachmentsNode(message) {
  const files = message.attachments ?? [];
  if (message.deleted || files.length === 0) return null;
  const list = el("div", "attachments");
  list.setAttribute("role", "group");
  list.setAttribute("aria-label", files.length === 1 ? "Attached file" : `${files.length} attached files`);
  for (const attachment of files) list.append(attachment.image ? imageNode(attachment) : fileNode(attachment));
  return list;
}

// The composer's pending uploads. Each file is uploaded at once (XMLHttpRequest, for its
// upload progress; the CSRF header as rest.js sends it) and shown as a chip with a progress
// bar and a remove button; `ids()` are the uploaded ones, which the next post carries.
export class Uploads {
  constructor({ slug, list, notice, onChange = () => {}, max = 10 }) {
    this.slug = slug;
    this.list = list;
    this.notice = notice;
    this.onChange = onChange;
    this.max = max;
    this.items = []; // {file, node, progress, id, request, state: "uploading" | "done" | "failed"}
  }

  get busy() {
    return this.items.some((item) => item.state === "uploading");
  }

  get count() {
    return this.items.length;
  }

  ids() {
    return this.items.filter((item) => item.state === "done").map((item) => item.id);
  }

  add(files) {
    for (const file of files) {
      if (this.items.length >= this.max) {
        this.notice(`A message carries at most ${this.max} files.`, "error");
        break;
      }
      this.start(file);
    }
    this.onChange();
  }

  start(file) {
    const item = { file, id: null, state: "uploading", request: new XMLHttpRequest() };
    const name = file.name || "pasted image";
    const chip = el("li", "pending-file");
    chip.dataset.state = "uploading";
    const label = el("span", "pending-file-name", name);
    const size = el("span", "pending-file-size", formatSize(file.size));
    const progress = document.createElement("progress");
    progress.max = 100;
    progress.value = 0;
    progress.setAttribute("aria-label", `Uploading ${name}`);
    const status = el("span", "pending-file-status");
    status.setAttribute("role", "status");
    const remove = el("button", "pending-file-remove button-quiet", "✕");
    remove.type = "button";
    remove.setAttribute("aria-label", `Remove ${name}`);
    remove.addEventListener("click", () => this.remove(item));
    chip.append(label, size, progress, status, remove);
    Object.assign(item, { node: chip, progress, status });
    this.list.append(chip);
    this.list.hidden = false;
    this.items.push(item);

    const request = item.request;
    request.open("POST", UPLOAD_URL(this.slug));
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-CSRFToken", csrfToken());
    request.responseType = "json";
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) progress.value = Math.round((100 * event.loaded) / event.total);
    });
    request.addEventListener("load", () => {
      if (request.status === 201 && request.response?.id) {
        item.id = request.response.id;
        this.settle(item, "done", "Ready");
        progress.value = 100;
      } else {
        this.settle(item, "failed", request.response?.message ?? `Upload failed (${request.status}).`);
      }
    });
    request.addEventListener("error", () => this.settle(item, "failed", "Upload failed: the network went away."));
    const form = new FormData();
    form.append("file", file, name);
    request.send(form);
  }

  settle(item, state, text) {
    if (!this.items.includes(item)) return;
    item.state = state;
    item.node.dataset.state = state;
    item.status.textContent = text;
    if (state === "failed") this.notice(`${item.file.name || "The file"}: ${text}`, "error");
    this.onChange();
  }

  remove(item) {
    if (item.state === "uploading") item.request.abort();
    this.items = this.items.filter((other) => other !== item);
    item.node.remove();
    this.list.hidden = this.items.length === 0;
    this.onChange();
  }

  // After a post took them: the chips go (the files now belong to the message).
  clear() {
    for (const item of this.items) item.node.remove();
    this.items = [];
    this.list.hidden = true;
    this.onChange();
  }
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}
