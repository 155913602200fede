// A person's avatar, as the server's web/templates/web/_avatar.html draws it: their picture
// (`avatar.url`, an address that changes with the picture) or their initials on their colour,
// as SVG, whose colour is an attribute (the pages' CSP forbids inline styles). Decorative: the
// name is always beside it, so the picture's alt is empty and the SVG hidden from readers.

const SVG = "http://www.w3.org/2000/svg";

function svgNode(tag, attributes) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

// `user`'s avatar at `size` pixels, or null when the user object carries none.
export function avatarNode(user, size = 20) {
  const avatar = user?.avatar;
  if (!avatar) return null;
  if (avatar.url) {
    const image = document.createElement("img");
    image.className = "avatar";
    image.src = avatar.url;
    image.width = size;
    image.height = size;
    image.alt = "";
    image.decoding = "async";
    return image;
  }
  const svg = svgNode("svg", { class: "avatar", width: size, height: size, viewBox: "0 0 64 64", "aria-hidden": "true", focusable: "false" });
  const text = svgNode("text", {
    x: 32,
    y: 33,
    "dominant-baseline": "middle",
    "text-anchor": "middle",
    fill: "#ffffff",
    "font-size": 26,
    "font-weight": 600,
    "font-family": "system-ui, sans-serif",
  });
  text.textContent = avatar.initials;
  svg.append(svgNode("circle", { cx: 32, cy: 32, r: 32, fill: avatar.color }), text);
  return svg;
}

// Draw `user`'s avatar again where `container` shows one (after `user_updated`).
export function avatarRefresh(container, user) {
  const old = container.querySelector(":scope > .avatar");
  const node = old && avatarNode(user, Number(old.getAttribute("width")) || 20);
  if (node) old.replaceWith(node);
}
