// Who is asking: every route but /healthz (and the WebSocket upgrade) needs credentials when the
// server has any: `Authorization: Bearer <token>` (--token, the all-powerful user; or a user's
// password, --users) or `Authorization: Basic base64(user:password)` (--users; `default:<token>`
// too). The WebSocket may give the bearer token as `?token=` instead, since browsers cannot set
// headers on a WebSocket. The checks are core's Access (@tinyqs/core/security): constant-time
// comparisons, scrypt for users, failed logins limited and logged per address; what a user may do
// on which queue is then decided route by route (permissions.ts).
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { RequestHandler, Response } from "express";
import { TinyQSError } from "@tinyqs/core";
import { errorJson } from "@tinyqs/core/wire";
import { OPEN_ACCESS, type Access, type Principal } from "@tinyqs/core/security";
import { UNAUTHORIZED } from "./http-errors.js";

export type Identified = { user: Principal } | { refused: string };

type Credentials = { kind: "bearer"; token: Buffer } | { kind: "basic"; name: string; password: Buffer } | null;

/** The credentials of a request: its Authorization header, else (`query`, the WebSocket's) `?token=`. */
function credentialsOf(req: IncomingMessage, queryToken?: string | null): Credentials {
  const header = req.headers.authorization ?? "";
  const bearer = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header);
  if (bearer) return { kind: "bearer", token: Buffer.from(bearer[1]!, "utf8") };
  const basic = /^Basic[ ]+([A-Za-z0-9+/=]+)[ ]*$/i.exec(header);
  if (basic) {
    const pair = Buffer.from(basic[1]!, "base64").toString("utf8");
    const colon = pair.indexOf(":");
    if (colon > 0) return { kind: "basic", name: pair.slice(0, colon), password: Buffer.from(pair.slice(colon + 1), "utf8") };
  }
  if (queryToken) return { kind: "bearer", token: Buffer.from(queryToken, "utf8") };
  return null;
}

/** The user of a request, or why it is refused (the message of its 401). */
export async function identify(access: Access, req: IncomingMessage, queryToken?: string | null): Promise<Identified> {
  if (!access.required) return { user: OPEN_ACCESS };
  const c = credentialsOf(req, queryToken);
  if (!c) return { refused: UNAUTHORIZED.message };
  const from = req.socket.remoteAddress ?? "unknown";
  const result = c.kind === "bearer" ? await access.bearer(c.token, from) : await access.login(c.name, c.password, from);
  if (result.ok) return { user: result.principal };
  return { refused: result.limited ? "too many failed logins from this address: try again in a second" : "the credentials are not valid" };
}

/** The WWW-Authenticate challenge: Basic only where there are users to name. */
export function challenge(access: Access): string {
  return access.usersFile !== undefined ? 'Basic realm="tinyqs", Bearer realm="tinyqs"' : 'Bearer realm="tinyqs"';
}

/** The user a route runs for (set by requireAuth). */
export function userOf(res: Response): Principal {
  const user = res.locals.user as Principal | undefined;
  if (!user) throw new TinyQSError("UNAUTHORIZED", UNAUTHORIZED.message);
  return user;
}

/** `authenticated`: told of each request's socket once it authenticated (the not-yet-authenticated deadline, connection-guard.ts). */
export function requireAuth(access: Access, authenticated: (socket: Socket) => void = () => {}): RequestHandler {
  return (req, res, next) => {
    identify(access, req).then((who) => {
      if ("user" in who) {
        res.locals.user = who.user;
        authenticated(req.socket);
        return next();
      }
      res.status(UNAUTHORIZED.http).set("WWW-Authenticate", challenge(access)).json(errorJson(UNAUTHORIZED.code, who.refused));
    }, next);
  };
}
