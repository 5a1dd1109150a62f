// What the HTTP server keeps bounded per connection, whatever the client does (issue 16): the
// connections per remote address and, with a token, the connections that have not yet sent a
// request with it (at most maxPendingAuth, each closed after authTimeoutMs); and, every
// SOCKET_SWEEP_MS, the bytes each socket has not yet handed to the system (responses, WebSocket
// frames) counted against the byte budget, with the cut of a socket that holds more than its share
// of the budget (or the budget is half used) and takes less than SLOW_READER_PROGRESS_BYTES in slowReaderTimeoutMs. A cut socket's WebSocket
// session gives its messages back as on any close; a receive whose response was not written
// gives its messages back as when the client leaves (rest/while-connected.ts).
// Headers, whole-request and keep-alive timeouts are node's own (server.ts); the body rate is body.ts's.
import type { Server } from "node:http";
import type { Socket } from "node:net";
import { AddressLimit, AuthGate, SLOW_READER_PROGRESS_BYTES, TinyQSError, type AuthTicket, type Bounds, type BudgetHolder, type ByteBudget } from "@tinyqs/core";
import { errorJson } from "@tinyqs/core/wire";
import { SOCKET_SWEEP_MS } from "./defaults.js";

interface Watched extends BudgetHolder {
  /** Bytes the system had taken from this socket when it last made progress. */
  taken: number;
  /** When it last had nothing waiting, or had taken SLOW_READER_PROGRESS_BYTES more. */
  progressAt: number;
  address: string;
  ticket: AuthTicket | null;
}

export interface ConnectionGuard {
  /** The request or upgrade on this socket carried the token: the auth deadline no longer applies. */
  authenticated(socket: Socket): void;
  stop(): void;
}

/** A refusal at accept, before any request: a complete response the client can read, then close. */
function refuse(socket: Socket, message: string): void {
  const e = new TinyQSError("TOO_MANY_CONNECTIONS", message);
  const body = JSON.stringify(errorJson(e.code, e.message));
  socket.end(`HTTP/1.1 ${e.httpStatus} Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  setTimeout(() => socket.destroy(), 1000).unref();
}

export function guardConnections(server: Server, bounds: Bounds, budget: ByteBudget, tokenRequired: boolean): ConnectionGuard {
  const perAddress = new AddressLimit(bounds.maxConnectionsPerAddress);
  const gate = tokenRequired ? new AuthGate(bounds.authTimeoutMs, bounds.maxPendingAuth) : null;
  const sockets = new Map<Socket, Watched>();
  // The same connections by peer: over HTTPS a request's socket is the TLSSocket, not the raw one
  // the "connection" event gave; both have the peer's address and port.
  const byPeer = new Map<string, Watched>();
  const peerOf = (socket: Socket) => `${socket.remoteAddress}|${socket.remotePort}`;

  // Node's own handler (it parses the requests) sees only the sockets admitted here.
  const http = server.listeners("connection") as Array<(socket: Socket) => void>;
  server.removeAllListeners("connection");
  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "";
    if (gate && gate.waiting >= gate.maxPending) {
      return refuse(socket, `${gate.maxPending} connections are waiting to authenticate already (--max-pending-auth); try again later`);
    }
    if (!perAddress.admit(address)) {
      return refuse(socket, `${perAddress.max} connections from ${address} are open already (--max-connections-per-address)`);
    }
    const w: Watched = { held: 0, taken: 0, progressAt: Date.now(), address, ticket: null };
    w.ticket = gate?.admit(() => socket.destroy()) ?? null;
    const peer = peerOf(socket);
    sockets.set(socket, w);
    byPeer.set(peer, w);
    socket.once("close", () => {
      sockets.delete(socket);
      if (byPeer.get(peer) === w) byPeer.delete(peer);
      perAddress.release(address);
      w.ticket?.done();
      budget.set(w, 0);
    });
    for (const listener of http) listener.call(server, socket);
  });

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [socket, w] of sockets) {
      const unsent = socket.writableLength;
      const taken = socket.bytesWritten - unsent;
      if (unsent === 0 || taken - w.taken >= SLOW_READER_PROGRESS_BYTES) {
        w.progressAt = now;
        w.taken = taken;
      }
      budget.set(w, unsent);
      if (budget.cutIfStuck(w) && now - w.progressAt >= bounds.slowReaderTimeoutMs) socket.destroy();
    }
  }, SOCKET_SWEEP_MS);
  sweep.unref();

  return {
    authenticated(socket) {
      const w = sockets.get(socket) ?? byPeer.get(peerOf(socket));
      w?.ticket?.done();
      if (w) w.ticket = null;
    },
    stop: () => clearInterval(sweep),
  };
}
