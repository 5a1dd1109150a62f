// Bearer-token authentication. With a token configured, every route but /healthz (and the WebSocket
// upgrade) needs `Authorization: Bearer <token>`; the WebSocket may give it as `?token=` instead,
// since browsers cannot set headers on a WebSocket. Tokens are compared in constant time: both
// sides are hashed first, so neither their bytes nor their lengths show in the timing.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { RequestHandler } from "express";
import { errorJson } from "@tinyqs/core/wire";
import { UNAUTHORIZED } from "./http-errors.js";

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** A checker for one configured token; `undefined` means the server is open. */
export function tokenChecker(token: string | undefined): (given: string | undefined) => boolean {
  if (token === undefined) return () => true;
  const expected = digest(token);
  return (given) => given !== undefined && timingSafeEqual(digest(given), expected);
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const m = /^Bearer[ ]+(\S+)[ ]*$/i.exec(req.headers.authorization ?? "");
  return m?.[1];
}

export function requireToken(check: (given: string | undefined) => boolean, authenticated: (socket: Socket) => void = () => {}): RequestHandler {
  return (req, res, next) => {
    if (check(bearerToken(req))) {
      authenticated(req.socket);
      return next();
    }
    res.status(UNAUTHORIZED.http).set("WWW-Authenticate", 'Bearer realm="tinyqs"').json(errorJson(UNAUTHORIZED.code, UNAUTHORIZED.message));
  };
}
