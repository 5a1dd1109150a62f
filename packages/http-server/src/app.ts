// The express application: the order of the middleware is the policy. The origin check and CORS
// come first (a preflight carries no credentials; a page the server does not allow is refused whatever
// it sends); /healthz and the dashboard's page (ui/page.ts: no data, and it must load to ask for the
// token) before the credentials check (probes carry none); everything else after it, each route
// checking the user's grant for it (permissions.ts), the page's changing requests refused first
// when it is read-only (ui/mode.ts);
// then the 404 for unknown routes and the one error handler that turns every failure into
// `{ "error": { "code", "message" } }`.
import type { Socket } from "node:net";
import express, { Router, type Express, type Request } from "express";
import { TinyQSError, type TinyQSApi } from "@tinyqs/core";
import { ROUTES } from "@tinyqs/core/wire";
import type { Access } from "@tinyqs/core/security";
import { requireAuth } from "./auth.js";
import type { Context } from "./context.js";
import { answerOptions, corsAndOrigin } from "./cors.js";
import { errorHandler } from "./http-errors.js";
import type { Metrics } from "./metrics.js";
import type { OriginPolicy } from "./origin.js";
import { messageRoutes } from "./rest/messages.js";
import { queueRoutes } from "./rest/queues.js";
import { requestRoutes } from "./rest/requests.js";
import { on } from "./rest/route.js";
import { healthz, metrics, openapi } from "./rest/system.js";
import { changesState } from "./origin.js";
import { liveRoutes } from "./ui/live.js";
import { UI_HEADER, readOnlyRefusal, type UiMode } from "./ui/mode.js";
import { pageRoutes } from "./ui/page.js";
import type { LiveSampler } from "./ui/sampler.js";

export interface AppOptions {
  ctx: Context;
  /** The dashboard: how it is served, the context its requests run in (counted as "ui"), the live sampler. */
  ui: { mode: UiMode; ctx: Context; sampler: LiveSampler };
  /** The engine itself, not instrumented: health probes should not count as queue operations. */
  engine: TinyQSApi;
  metrics: Metrics;
  /** Who may do what (--token, --users). */
  access: Access;
  healthTimeoutMs: number;
  /** Which web pages may drive the server (--cors-origin). */
  origins: OriginPolicy;
  log: (line: string) => void;
  /** A request carried the token: its connection no longer counts as waiting to authenticate. */
  authenticated: (socket: Socket) => void;
}

export function createApp(o: AppOptions): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false); // queue replies change from one request to the next: nothing to revalidate

  // Count every request by the route that served it (the pattern, not the URL: bounded labels).
  app.use((req, res, next) => {
    res.once("finish", () => {
      const route = req.route?.path ? String(req.route.path) : "unmatched";
      o.metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  });

  app.use(corsAndOrigin(o.origins));
  on(app, ROUTES.healthz, healthz(o.engine, o.healthTimeoutMs));
  if (o.ui.mode !== "off") app.use(pageRoutes({ mode: o.ui.mode, credentials: o.access.required }));
  app.use(requireAuth(o.access, o.authenticated));
  app.use(answerOptions);
  // Express answers HEAD with the GET route minus the body: for a receive that would reserve a
  // message and throw it away. No route here has a use for HEAD (/healthz, above, keeps it).
  app.use((req, _res, next) => {
    if (req.method === "HEAD") throw new TinyQSError("NOT_FOUND", `no route HEAD ${req.path}: use GET`);
    next();
  });
  on(app, ROUTES.metrics, metrics(o.metrics));
  on(app, ROUTES.openapi, openapi);
  // The page's requests carry its marker (ui/mode.ts): read-only refuses those that change something.
  if (o.ui.mode === "read-only") {
    app.use((req, _res, next) => next(req.headers[UI_HEADER] !== undefined && changesState(req.method, req.path) ? readOnlyRefusal() : undefined));
  }
  app.use(liveRoutes(o.ctx, o.ui.sampler, o.metrics));
  // The same routes twice, over two contexts: the page's requests (its marker) take the first set,
  // whose operations are counted under path "ui"; every other request skips it ("router") for REST's.
  const api = (ctx: Context, only?: (req: Request) => boolean) =>
    Router().use((req, _res, next) => next(only && !only(req) ? "router" : undefined), messageRoutes(ctx), requestRoutes(ctx), queueRoutes(ctx));
  app.use(api(o.ui.ctx, (req) => req.headers[UI_HEADER] !== undefined), api(o.ctx));

  app.use((req) => {
    throw new TinyQSError("NOT_FOUND", `no route ${req.method} ${req.path}; see ${ROUTES.openapi.path}`);
  });
  app.use(errorHandler(o.log));
  return app;
}
