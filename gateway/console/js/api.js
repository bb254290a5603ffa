// Calls to the hub's JSON API from the console: the session cookie travels by itself; unsafe
// methods carry the session's CSRF token; problems (application/problem+json) become ApiError.

let csrf = null;

/** Remembers the session's CSRF token (from sign-in or /v1/auth/me). */
export function setCsrf(token) {
  csrf = token;
}

/** A refused or failed call: the HTTP status and the problem document. */
export class ApiError extends Error {
  constructor(status, problem) {
    const p = problem && typeof problem === "object" ? problem : { detail: String(problem || "") };
    const fields = (p.errors || []).map((e) => `${e.field}: ${e.reason}`).join("\n");
    // The fields and reasons say it best when there are some; else the problem's detail.
    super(fields || p.detail || p.title || `HTTP ${status}`);
    this.status = status;
    this.problem = p;
  }
}

/** One call; answers the JSON (or text) body, null for 204. */
export async function api(method, path, body) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrf) headers["x-csrf-token"] = csrf;
  const r = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (r.status === 204) return null;
  const type = r.headers.get("content-type") || "";
  const data = type.includes("json") ? await r.json() : await r.text();
  if (!r.ok) throw new ApiError(r.status, data);
  return data;
}

export const get = (path) => api("GET", path);
export const post = (path, body) => api("POST", path, body ?? {});
export const put = (path, body) => api("PUT", path, body);

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && String(v).trim() !== "") q.set(k, String(v).trim());
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}
