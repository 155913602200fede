// GET from the REST API with the page's session cookie (a GET needs no CSRF token). Only
// signed-up people have the REST API; guests get 401.

export async function getJson(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      message = (await response.json()).message ?? message;
    } catch {
      // not JSON
    }
    throw new Error(message);
  }
  return response.json();
}
