// Every request the page makes: its marker header (the server counts the page's operations apart,
// and refuses its changing requests when it runs --ui read-only), the token kept for this tab, and
// the API's errors ({ error: { code, message } }) turned into ApiError.
export const UI_HEADER = "tinyqs-ui";
const TOKEN_KEY = "tinyqs.token";

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (t) => sessionStorage.setItem(TOKEN_KEY, t),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function headers(extra = {}) {
  const h = { [UI_HEADER]: "1", ...extra };
  const t = token.get();
  if (t) h.authorization = `Bearer ${t}`;
  return h;
}

/** The ApiError of a response that is not ok. */
export async function errorOf(res) {
  const data = await res.json().catch(() => null);
  return new ApiError(res.status, data?.error?.code ?? `HTTP_${res.status}`, data?.error?.message ?? `${res.status} ${res.statusText}`);
}

/** One API call: `json` is sent as JSON, `body` as is; answers the parsed JSON, or null for 204. */
export async function call(method, path, { json, body } = {}) {
  const extra = json === undefined ? {} : { "content-type": "application/json" };
  const res = await fetch(path, { method, headers: headers(extra), body: json === undefined ? body : JSON.stringify(json), cache: "no-store" });
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return null;
  return (res.headers.get("content-type") ?? "").includes("json") ? res.json() : res.text();
}

export const queuePath = (queue, rest = "") => `/v1/queues/${encodeURIComponent(queue)}${rest}`;
