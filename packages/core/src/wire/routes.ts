// The HTTP routes of tinyqs-http, as data: each operation's method, path pattern and the query
// parameters it takes. The server registers its routes from this table (express reads the `:name`
// patterns) and the client builds its URLs from it (pathOf), so a route is written once. The
// description of each route for humans is the server's OpenAPI document (http-server/src/openapi.ts).

export type Method = "GET" | "POST" | "PUT" | "DELETE";

export interface Route {
  readonly method: Method;
  /** An express path pattern: `:name` is a parameter. */
  readonly path: string;
  /** The query parameters the route takes, in the order its refusal of an unknown one lists them; absent: any, unchecked. */
  readonly query?: readonly string[];
}

export const ROUTES = {
  // ---- messages
  send: { method: "POST", path: "/v1/queues/:queue/messages", query: ["delayMs"] },
  sendBatch: { method: "POST", path: "/v1/queues/:queue/messages/batch", query: [] },
  /** One message (raw) without `max`, a JSON batch with it. */
  receive: { method: "GET", path: "/v1/queues/:queue/messages", query: ["waitMs", "visibilityMs", "max"] },
  peek: { method: "GET", path: "/v1/queues/:queue/messages/peek", query: ["waitMs"] },
  /** `:state` is ready, inFlight or delayed; `{ "messages": [ … ] }` (browsed.ts). */
  browse: { method: "GET", path: "/v1/queues/:queue/browse/:state", query: ["offset", "limit", "bodyBytes"] },
  delete: { method: "DELETE", path: "/v1/queues/:queue/messages/:idOrReceipt", query: [] },
  touch: { method: "POST", path: "/v1/queues/:queue/messages/:receipt/touch", query: ["visibilityMs"] },
  release: { method: "POST", path: "/v1/queues/:queue/messages/:receipt/release", query: ["delayMs"] },
  /** `{ "receipts": [ … ] }` → `{ "results": [ … ] }`, one per item (batch-results.ts). */
  deleteBatch: { method: "POST", path: "/v1/queues/:queue/messages/delete", query: [] },
  touchBatch: { method: "POST", path: "/v1/queues/:queue/messages/touch", query: ["visibilityMs"] },
  // ---- request/response
  request: { method: "POST", path: "/v1/queues/:queue/requests", query: ["timeoutMs"] },
  respond: { method: "POST", path: "/v1/queues/:queue/messages/:receipt/respond", query: [] },
  reply: { method: "GET", path: "/v1/replies/:handle", query: ["timeoutMs"] },
  // ---- queues
  queues: { method: "GET", path: "/v1/queues", query: [] },
  /** A queue's stats and, under `config`, its settings. */
  queue: { method: "GET", path: "/v1/queues/:queue", query: [] },
  configure: { method: "PUT", path: "/v1/queues/:queue", query: [] },
  purge: { method: "POST", path: "/v1/queues/:queue/purge", query: [] },
  /** → `{ "paused": true }`. */
  pause: { method: "POST", path: "/v1/queues/:queue/pause", query: [] },
  /** → `{ "paused": false }`. */
  resume: { method: "POST", path: "/v1/queues/:queue/resume", query: [] },
  /** JSON `{ "to"?, "max"? }` (or no body) → `{ "moved": n }`. */
  redrive: { method: "POST", path: "/v1/queues/:queue/redrive", query: [] },
  /** → 204. */
  deleteQueue: { method: "DELETE", path: "/v1/queues/:queue", query: [] },
  // ---- the dashboard's live numbers: server-sent events, one sample a second (docs/dashboard.md)
  /** Every queue the user administers. */
  live: { method: "GET", path: "/v1/live", query: [] },
  /** One queue, its last 15 minutes of rates first. */
  liveQueue: { method: "GET", path: "/v1/live/:queue", query: [] },
  // ---- the server itself
  healthz: { method: "GET", path: "/healthz" },
  metrics: { method: "GET", path: "/metrics" },
  openapi: { method: "GET", path: "/v1/openapi.json" },
} as const satisfies Record<string, Route>;

/** The WebSocket endpoint (docs/websocket.md), on the same server. */
export const WS_PATH = "/v1/ws";

type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<Rest>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/** The parameters of a path pattern: `{ queue: string; receipt: string }` for `/v1/queues/:queue/messages/:receipt/touch`. */
export type PathParams<P extends string> = { [K in ParamNames<P>]: string };

/** The path of `route` for these parameters, each URL-encoded. */
export function pathOf<R extends Route>(route: R, params: PathParams<R["path"]>): string {
  const values = params as Record<string, string>;
  return route.path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(values[name]!));
}

/** The WebSocket endpoint of the tinyqs-http server at `base` (http(s)://host:port[/prefix]). */
export function webSocketUrl(base: string): string {
  return `${base.replace(/^http/, "ws")}${WS_PATH}`;
}
