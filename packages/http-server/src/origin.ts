// Which web pages may drive this server. A browser names the page that makes a request in `Origin`
// (on every cross-origin POST/PUT/DELETE, on fetch() in CORS mode, and on every WebSocket upgrade)
// and, in recent browsers, says how it relates to the target in `Sec-Fetch-Site`. Without a check, a
// page on any site could purge a queue or send messages with a "simple" cross-origin POST, which the
// browser sends without asking first. So a request is judged by those headers, and by its Host
// (allowed-hosts.ts: a name the server answers to, against DNS rebinding):
//   - Origin equal to the server's own (its Host header, a name it answers to) → served;
//   - Origin allowed by --cors-origin (`*`: any), whatever the Host → served, with CORS headers;
//   - Host not one the server answers to → refused, whatever the request (a rebound page could read
//     even a read-only answer, being of the same origin to the browser); curl, SDKs and proxies send
//     the name they dialled, so such a name needs --allowed-host;
//   - no Origin, and Sec-Fetch-Site absent (curl, SDKs, servers), `none` (typed in the address bar)
//     or `same-origin` → served;
//   - anything else (a foreign Origin; `same-site` or `cross-site` without Origin: ports do not count
//     for same-site, so 127.0.0.1:3000 is same-site with 127.0.0.1:7380) → refused when the request
//     changes something (see `changesState`).
import type { IncomingMessage } from "node:http";
import { ROUTES } from "@tinyqs/core/wire";
import { hostCheck, unknownHostMessage } from "./allowed-hosts.js";

export type OriginVerdict =
  /** Not from a browser page, or from this server's own pages: no CORS headers needed. */
  | { kind: "plain" }
  /** From a page on an allowed other origin: served, with CORS headers naming it. */
  | { kind: "allowed"; origin: string }
  /** From a page the server does not allow: refused when the request changes something. */
  | { kind: "foreign"; message: string }
  /** For a Host the server does not answer to (DNS rebinding): refused, whatever the request. */
  | { kind: "unknown-host"; message: string };

export interface OriginPolicy {
  judge(req: IncomingMessage): OriginVerdict;
  /** Also answer to this Host name (the one listen() was given, when it is a name). */
  allowHost(name: string): void;
}

/** Sec-Fetch-Site values that say "not another site's page": typed in, or the page's own request. */
const HARMLESS_SITES = new Set(["none", "same-origin"]);

/**
 * The allowed origins, as given to --cors-origin: `*`, or `scheme://host[:port]` each (no path;
 * a trailing slash is tolerated). Normalized as browsers write them (lower case, no default port).
 */
export function parseCorsOrigins(given: string | readonly string[] | undefined): readonly string[] {
  const list = typeof given === "string" ? given.split(",") : (given ?? []);
  return list.map((o) => o.trim()).filter((o) => o !== "").map(normalizeOrigin);
}

function normalizeOrigin(o: string): string {
  if (o === "*") return o;
  let url: URL;
  try {
    url = new URL(o);
  } catch {
    throw new RangeError(`cors origin ${JSON.stringify(o)} is not an origin: give scheme://host[:port], or *`);
  }
  const bare = url.pathname === "/" && !url.search && !url.hash && !url.username && !url.password;
  if (!/^https?:$/.test(url.protocol) || !bare) {
    throw new RangeError(`cors origin ${JSON.stringify(o)} is not an origin: give http(s)://host[:port] without a path, or *`);
  }
  return url.origin;
}

const DEFAULT_PORT: Record<string, string> = { "http:": "80", "https:": "443" };

/**
 * Is `origin` this server, as the request addressed it (its Host header)? Only host and port are
 * compared, not the scheme: behind a TLS proxy the page is https://host while the request reaching
 * us is plain http, with the same Host. `Origin: null` (sandboxed frames, file://) is never ours.
 */
function isOwnOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const port = url.port || DEFAULT_PORT[url.protocol] || "";
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(host.trim().toLowerCase());
  if (!m) return false;
  const hostPort = m[2] ?? DEFAULT_PORT[url.protocol] ?? "";
  return url.hostname === m[1] && port === hostPort;
}

export function originPolicy(corsOrigins: readonly string[], allowedHosts: readonly string[] = []): OriginPolicy {
  const any = corsOrigins.includes("*");
  const allowed = new Set(corsOrigins);
  const hosts = hostCheck(allowedHosts);
  return {
    judge(req) {
      const { origin, host } = req.headers;
      const knownHost = hosts.allows(host);
      if (origin !== undefined) {
        if (knownHost && isOwnOrigin(origin, host)) return { kind: "plain" };
        // An origin named in --cors-origin is let in by whatever name it reaches the server.
        if (any || allowed.has(origin)) return { kind: "allowed", origin };
        return knownHost ? { kind: "foreign", message: foreignOriginMessage(origin) } : { kind: "unknown-host", message: unknownHostMessage(host!) };
      }
      if (!knownHost) return { kind: "unknown-host", message: unknownHostMessage(host!) };
      // No Origin: a browser still says where the request comes from in Sec-Fetch-Site. An <img> or
      // a link from another site (or another port of this host: same-site) must not receive.
      const site = req.headers["sec-fetch-site"];
      if (site === undefined || HARMLESS_SITES.has(site)) return { kind: "plain" };
      return { kind: "foreign", message: noOriginMessage(site) };
    },
    allowHost: hosts.add,
  };
}

/** Why a request from a foreign origin is refused (REST and WebSocket alike), and how to allow it. */
const foreignOriginMessage = (origin: string) =>
  `requests from origin ${origin} are not allowed here; start the server with --cors-origin to allow a web page's origin`;

const noOriginMessage = (site: string) =>
  `a browser request from another page (Sec-Fetch-Site: ${site}) without Origin may not change anything here; ` +
  "send it with fetch() from a page whose origin is allowed with --cors-origin";

/**
 * A route pattern of the wire table as a RegExp on the path (`:name` is one segment), matching as
 * express does: case-insensitive, a trailing slash allowed. (Stricter, and /V1/QUEUES/q/MESSAGES
 * would be a receive that this check took for a harmless GET.)
 */
const patternOf = (path: string) => new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:\w+/g, "[^/]+")}/?$`, "i");

/** GET routes that change state: a receive reserves messages, a reply collect takes the reply. */
const CHANGING_GETS = [ROUTES.receive, ROUTES.reply].map((r) => patternOf(r.path));

/**
 * Does this request change anything? Every method but GET, HEAD and OPTIONS does, and so do the GETs
 * above. Only those are refused to a foreign origin: a read-only GET is answered (without CORS
 * headers, so the page's script cannot read the answer anyway), as a link or an <img> would be.
 */
export function changesState(method: string, path: string): boolean {
  if (method === "GET" || method === "HEAD") return CHANGING_GETS.some((p) => p.test(path));
  return method !== "OPTIONS";
}

/** The methods the routes of the wire table take on `path` (for OPTIONS's `Allow`); empty: no such path. */
export function methodsOf(path: string): string[] {
  const methods = new Set<string>();
  for (const r of Object.values(ROUTES)) if (patternOf(r.path).test(path)) methods.add(r.method);
  return [...methods];
}
