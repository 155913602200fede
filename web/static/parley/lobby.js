// The lobby's "enter a room" box, as in the Channels tutorial's index: type a name, press
// Enter, and the form POSTs it to the server, which opens (or creates) the room at the slug
// shown here and goes there. This script only previews the slug and refuses a name with none.

// Django's slugify, so both sides agree: ASCII letters, digits, "_" and "-", lower case.
export function slugify(text) {
  return text
    .normalize("NFKD")
    .replace(/[^\x00-\x7f]/g, "")
    .toLowerCase()
    .replace(/[^\w\s-]/g, "")
    .replace(/[-\s]+/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "")
    .slice(0, 64);
}

const form = document.getElementById("room-name-form");
const input = document.getElementById("room-name-input");
const preview = document.getElementById("room-name-preview");

if (form) {
  input.addEventListener("input", () => {
    input.setCustomValidity("");
    const slug = slugify(input.value);
    preview.textContent = slug ? `Opens /chat/${slug}/` : "";
  });
  form.addEventListener("submit", (event) => {
    if (slugify(input.value)) return; // the form POSTs the name
    event.preventDefault();
    input.setCustomValidity("Use at least one letter or digit.");
    input.reportValidity();
  });
}
