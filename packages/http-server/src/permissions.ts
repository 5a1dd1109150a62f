// The grant each REST route needs (--users), on the queue in its path (a reply handle's queue for
// GET /v1/replies/:handle), checked before the route reads anything: a denied request is 403
// FORBIDDEN and changes nothing. The queue list needs admin on some queue and shows only those
// (rest/queues.ts), and so does the dashboard's live stream of them (ui/live.ts); /metrics, whose series name every queue, needs admin on all of them (`*`); a
// queue's settings are open to every grant on it (its stats are not: rest/queues.ts).
// /v1/openapi.json is open to every user; /healthz to everyone.
import type { Request } from "express";
import { TinyQSError, parseReplyHandle } from "@tinyqs/core";
import { ROUTES, type Route } from "@tinyqs/core/wire";
import { PERMISSIONS, administersAll, administersAny, can, type Permission, type Principal } from "@tinyqs/core/security";

/**
 * Every route of the wire table with its grant, or null for the open ones: a Record over ROUTES, so
 * a route added to the table does not compile until it says what it needs (an entry forgotten
 * would leave it open to every user).
 */
const GRANT_OF: Record<keyof typeof ROUTES, Permission | null> = {
  send: "send",
  sendBatch: "send",
  request: "send",
  reply: "send",
  receive: "receive",
  peek: "receive",
  delete: "receive",
  deleteBatch: "receive",
  touch: "receive",
  touchBatch: "receive",
  release: "receive",
  respond: "receive",
  browse: "admin",
  queues: "admin",
  queue: "admin",
  configure: "admin",
  purge: "admin",
  pause: "admin",
  resume: "admin",
  redrive: "admin",
  deleteQueue: "admin",
  live: "admin",
  liveQueue: "admin",
  metrics: "admin",
  healthz: null,
  openapi: null,
};
const GRANTS = new Map<Route, Permission | null>(Object.entries(GRANT_OF).map(([name, p]) => [ROUTES[name as keyof typeof ROUTES], p]));

/** What the refusal says: the verb and the queue, never what the user could do instead. */
export function forbidden(user: Principal, permission: Permission, queue: string): TinyQSError {
  return new TinyQSError("FORBIDDEN", `user ${JSON.stringify(user.name)} may not ${permission} on queue ${JSON.stringify(queue)}`);
}

function queueOf(route: Route, req: Request): string | null {
  if (route === ROUTES.metrics) return "*";
  const params = req.params as Record<string, string | undefined>;
  if (params.queue !== undefined) return params.queue;
  if (params.handle !== undefined) {
    try {
      return parseReplyHandle(params.handle).queue;
    } catch {
      return null; // a bad handle: the route refuses it itself (400)
    }
  }
  return null;
}

/** Throws FORBIDDEN when `user` may not call `route` as `req` asks. */
export function checkRouteGrant(route: Route, req: Request, user: Principal): void {
  const permission = GRANTS.get(route);
  if (!permission) return;
  // /metrics names every queue in its series: only a user who administers all of them (a `*` grant).
  if (route === ROUTES.metrics) {
    if (!administersAll(user.grants)) throw forbidden(user, "admin", "*");
    return;
  }
  const queue = queueOf(route, req);
  if (queue === null) {
    if ((route === ROUTES.queues || route === ROUTES.live) && !administersAny(user.grants)) {
      throw new TinyQSError("FORBIDDEN", `user ${JSON.stringify(user.name)} may not list queues (it has no admin grant)`);
    }
    return;
  }
  // A queue's settings (GET /v1/queues/:queue) are open to every grant on it: a worker needs its
  // visibilityMs, a producer its maxMessageBytes; its stats only to admins (rest/queues.ts).
  if (route === ROUTES.queue && PERMISSIONS.some((p) => can(user, p, queue))) return;
  if (!can(user, permission, queue)) throw forbidden(user, permission, queue);
}
