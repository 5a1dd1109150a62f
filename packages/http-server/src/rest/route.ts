// Registering a route of the wire table (ROUTES in @tinyqs/core/wire): its method and path come
// from there, so the server and the client cannot disagree on them, and its query parameters are
// read (unknown ones refused) before the handler runs, as the first thing every route does, right
// after the user's grant for it is checked.
import type { Request, Response, Router } from "express";
import type { PathParams, Route } from "@tinyqs/core/wire";
import { userOf } from "../auth.js";
import { intQuery, type Query } from "../params.js";
import { checkRouteGrant } from "../permissions.js";

type Methods = Pick<Router, "get" | "post" | "put" | "delete">;

export type RouteHandler<R extends Route> = (req: Request<PathParams<R["path"]>>, res: Response, query: Query) => Promise<void> | void;

export function on<R extends Route>(router: Methods, route: R, handle: RouteHandler<R>): void {
  const method = route.method.toLowerCase() as keyof Methods;
  router[method](route.path, (req: Request, res: Response) => {
    // The user's grant first (permissions.ts): a refused request reads nothing and changes nothing.
    if (res.locals.user) checkRouteGrant(route, req, userOf(res));
    return handle(req as unknown as Request<PathParams<R["path"]>>, res, route.query ? intQuery(req, route.query) : {});
  });
}
