// The REST API from the page, with its session cookie (docs/api.md). A call that changes
// something sends the csrftoken cookie's value in X-CSRFToken, as Django's CSRF check asks.
// Errors reject with the server's message and its `code`.

function csrfToken(doc = document) {
  const match = doc.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

async function answer(response) {
  if (response.ok) return response.status === 204 ? null : response.json();
  let message = `${response.status} ${response.statusText}`;
  let code = "error";
  try {
    const body = await response.json();
    message = body.message ?? message;
    code = body.code ?? code;
  } catch {
    // not JSON
  }
  throw Object.assign(new Error(message), { code, status: response.status });
}

export async function getJson(url) {
  return answer(await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }));
}

export async function sendJson(method, url, body = undefined) {
  const headers = { Accept: "application/json", "X-CSRFToken": csrfToken() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return answer(
    await fetch(url, {
      method,
      credentials: "same-origin",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}
