// The WebSocket endpoint, /v1/ws, on the same HTTP server as the REST API: checks the origin, the
// credentials and the path on the upgrade request (Authorization: Bearer or Basic, or `?token=` for
// browsers); each frame is then checked against the user's grants (session.ts). Browsers
// send Origin on every upgrade and apply no CORS to WebSockets, so without the origin check any page
// could open a socket to a token-less server and take its messages (cross-site WebSocket
// hijacking): a foreign origin, or a Host the server does not answer to (DNS rebinding), is refused
// (403) as on the REST routes. Keeps sockets alive with pings
// (a peer that stops answering is closed, so its messages come back), and closes them all on shutdown.
import { STATUS_CODES, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { ERRORS } from "@tinyqs/core";
import { WS_PATH, errorJson } from "@tinyqs/core/wire";
import type { Access, Principal } from "@tinyqs/core/security";
import { challenge, identify } from "../auth.js";
import type { Context } from "../context.js";
import { UNAUTHORIZED } from "../http-errors.js";
import type { Metrics } from "../metrics.js";
import type { OriginPolicy } from "../origin.js";
import { Session } from "./session.js";

export interface WsOptions {
  ctx: Context;
  metrics: Metrics;
  access: Access;
  origins: OriginPolicy;
  maxPrefetch: number;
  pollMs: number;
  pingMs: number;
  /** The upgrade carried the token: its connection no longer counts as waiting to authenticate. */
  authenticated?: (socket: Socket) => void;
}

/** Answer an upgrade request we refuse with a plain HTTP response, in the API's error shape. */
function refuse(socket: Duplex, status: number, code: string, message: string, extra: string[] = []): void {
  const body = JSON.stringify(errorJson(code, message));
  socket.end(
    [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}`, "Content-Type: application/json", "Vary: Origin",
      `Content-Length: ${Buffer.byteLength(body)}`, "Connection: close", ...extra, "", body].join("\r\n"),
  );
}

export function attachWebSocket(server: Server, o: WsOptions): { close(): Promise<void>; recheck(): void } {
  // A send frame carries one message in base64, plus a little JSON around it; a sendBatch frame is
  // held to the same size (its bodies together), as REST's batch send is held to its JSON limit.
  const maxPayload = Math.ceil(o.ctx.limits.maxMessageBytes / 3) * 4 + 64 * 1024;
  // No permessage-deflate (ws's default, written out): compressing every small frame costs more CPU
  // than the bytes it saves on the networks a queue runs on, and a client that offers it gets none.
  const wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false });
  const sessions = new Map<WebSocket, Session>();
  const alive = new WeakSet<WebSocket>();

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const verdict = o.origins.judge(req);
    if (verdict.kind === "foreign" || verdict.kind === "unknown-host") {
      return refuse(socket, ERRORS.FORBIDDEN.http, "FORBIDDEN", verdict.message);
    }
    // Then the credentials, as on the REST routes: without them, not even which paths exist is revealed.
    void identify(o.access, req, url.searchParams.get("token")).then(
      (who) => {
        if ("user" in who) {
          o.authenticated?.(socket as Socket);
          return upgrade(req, socket, head, url, who.user);
        }
        refuse(socket, UNAUTHORIZED.http, UNAUTHORIZED.code, who.refused, [`WWW-Authenticate: ${challenge(o.access)}`]);
      },
      () => socket.destroy(),
    );
  });

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, user: Principal): void {
    if (url.pathname !== WS_PATH) {
      return refuse(socket, ERRORS.NOT_FOUND.http, "NOT_FOUND", `no WebSocket at ${url.pathname}; it is at ${WS_PATH}`);
    }
    if (o.ctx.isClosing || socket.destroyed) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new Session(o.ctx, ws, { maxPrefetch: o.maxPrefetch, pollMs: o.pollMs, user, access: o.access });
      sessions.set(ws, session);
      alive.add(ws);
      o.metrics.wsConnections.inc();
      ws.on("pong", () => alive.add(ws));
      ws.on("error", () => ws.terminate());
      ws.once("close", () => {
        o.metrics.wsConnections.dec();
        void session.close().finally(() => sessions.delete(ws));
      });
    });
  }

  const pinger = setInterval(() => {
    for (const ws of sessions.keys()) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, o.pingMs);
  pinger.unref();

  return {
    /** After a reload of the users: close the sockets whose user is gone or may no longer do what it does. */
    recheck() {
      for (const [ws, session] of sessions) {
        const why = session.revoked();
        if (why) ws.close(1008, why);
      }
    },
    /** Close every socket (1001, going away) and wait until what they held is back in the queues. */
    async close() {
      clearInterval(pinger);
      const closing = [...sessions].map(([ws, session]) => {
        ws.close(1001, "server shutting down");
        return session.close();
      });
      await Promise.all(closing);
      // Sockets that do not answer the close handshake are cut (their messages are already back).
      for (const ws of sessions.keys()) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
