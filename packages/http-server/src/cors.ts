// The origin check and CORS, as express middleware (the policy itself is in origin.ts). Runs first,
// before /healthz and the token: a preflight never carries the token (browsers send no
// Authorization on it), and a page the server does not allow is refused whatever it sends.
//   - A preflight (OPTIONS with Origin and Access-Control-Request-Method): 204 with the CORS
//     headers for an allowed origin, 403 for any other. It answers the same for every path, so it
//     tells an unauthenticated page nothing about which routes exist.
//   - A state-changing request from a foreign origin: 403, nothing done.
//   - Any request for a Host the server does not answer to (DNS rebinding), unless its Origin is
//     allowed: 403, nothing done, nothing read.
//   - Any request from an allowed origin: served with Access-Control-Allow-Origin naming it, and the
//     tinyqs-* headers exposed to its script.
// The origin is echoed, never `*`, and no Access-Control-Allow-Credentials is sent: the API uses
// no cookies, and a bearer token set by the page's own script needs neither.
import type { RequestHandler } from "express";
import { TinyQSError } from "@tinyqs/core";
import { HEADERS } from "@tinyqs/core/wire";
import { DEFAULTS } from "./defaults.js";
import { changesState, methodsOf, type OriginPolicy } from "./origin.js";

const CORS_METHODS = "GET, POST, PUT, DELETE";
const CORS_REQUEST_HEADERS = "Authorization, Content-Type";
const EXPOSED = Object.values(HEADERS).join(", ");

export function corsAndOrigin(policy: OriginPolicy): RequestHandler {
  return (req, res, next) => {
    // Every answer may depend on Origin (CORS headers or a 403): caches must key on it.
    res.vary("Origin");
    const verdict = policy.judge(req);
    const preflight = req.method === "OPTIONS" && req.headers.origin !== undefined && req.headers["access-control-request-method"] !== undefined;
    const refused = verdict.kind === "unknown-host" || (verdict.kind === "foreign" && (preflight || changesState(req.method, req.path)));
    if (refused) return next(new TinyQSError("FORBIDDEN", verdict.message));
    if (verdict.kind === "allowed" || preflight) {
      res.set({ "Access-Control-Allow-Origin": req.headers.origin!, "Access-Control-Expose-Headers": EXPOSED });
    }
    if (!preflight) return next();
    res.status(204).set({
      "Access-Control-Allow-Methods": CORS_METHODS,
      "Access-Control-Allow-Headers": CORS_REQUEST_HEADERS,
      "Access-Control-Max-Age": String(DEFAULTS.corsMaxAgeSeconds),
    });
    res.end();
  };
}

/**
 * A plain OPTIONS (no preflight): 204 with `Allow`, the methods the path has (HEAD is not one: it
 * is refused), or the usual 404 for a path that does not exist. Mounted after the token check.
 */
export const answerOptions: RequestHandler = (req, res, next) => {
  if (req.method !== "OPTIONS") return next();
  const methods = methodsOf(req.path);
  if (methods.length === 0) return next(); // on to the 404
  res.status(204).set("Allow", [...methods, "OPTIONS"].join(", ")).end();
};
