// One WebSocket to tinyqs-http's /v1/ws (docs/websocket.md), for as long as that socket lives:
// requests go out as JSON frames with a fresh requestId and resolve from the `reply` frame that
// echoes it (a failed reply is the TinyQSError of its code); pushed `message` frames and a
// subscription's `error` frames go to callbacks. When the socket ends, every request still waiting
// fails with UNAVAILABLE (whether the server did it is unknown, as with a cut REST call) and
// onClose says why. It never reconnects: ws-source.ts opens a new one. The frames' shapes are
// @tinyqs/core/wire's, the ones the server writes.
import type { ConnectionOptions } from "node:tls";
import WebSocket from "ws";
import { TinyQSError, type Message } from "@tinyqs/core";
import { corkForTick, errorFromJson, messageFromFrame, type RequestFrame } from "@tinyqs/core/wire";
import { tlsError } from "./tls.js";

export { webSocketUrl } from "@tinyqs/core/wire";

export interface WsConnectionOptions {
  /** ws(s)://host:port[/prefix]/v1/ws (webSocketUrl()). */
  url: string;
  /** The Authorization header of the upgrade, as the REST calls send it (http-auth.ts). */
  authorization?: string;
  /** wss://: the client's TLS options (ca, cert, key, servername). */
  tls?: ConnectionOptions;
  /** The opening handshake, and each request's reply, must come within this (ms). */
  timeoutMs: number;
}

/**
 * A ping every this often; a socket whose previous ping got no pong is cut. The server does the same
 * (every 30 s); ours notices a dead network from this side, where a socket could otherwise wait for
 * pushes forever.
 */
const HEARTBEAT_MS = 15_000;

type Frame = Record<string, unknown>;

interface Waiting {
  resolve: (reply: Frame) => void;
  reject: (error: TinyQSError) => void;
  timer: NodeJS.Timeout;
}

/** A frame's `error: { code, message }` as a TinyQSError (an unknown code is INTERNAL, its text kept). */
function errorOfFrame(frame: Frame): TinyQSError {
  const known = errorFromJson(frame);
  if (known) return known;
  const e = (frame.error ?? {}) as { code?: unknown; message?: unknown };
  const message = typeof e.message === "string" ? e.message : undefined;
  return new TinyQSError("INTERNAL", `${String(e.code)}: ${message ?? JSON.stringify(frame)}`);
}

export class WsConnection {
  /** A message pushed to this socket. */
  onMessage: (m: Message) => void = () => {};
  /** An `error` frame: a subscription whose receives fail (with its queue), or a frame the server could not read. */
  onFailure: (error: TinyQSError) => void = () => {};
  /** The socket is gone (once), with why. */
  onClose: (why: TinyQSError) => void = () => {};

  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private readonly closed: Promise<void>;

  private constructor(
    private readonly socket: WebSocket,
    private readonly o: WsConnectionOptions,
  ) {
    let alive = true;
    const heartbeat = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, HEARTBEAT_MS);
    heartbeat.unref();
    socket.on("pong", () => (alive = true));
    socket.on("message", (data, isBinary) => this.frame(isBinary ? "" : data.toString()));
    socket.on("error", () => {}); // 'close' follows, and says it
    this.closed = new Promise((resolve) => {
      socket.once("close", (code: number, reason: Buffer) => {
        clearInterval(heartbeat);
        const why = new TinyQSError("UNAVAILABLE", `the WebSocket to ${o.url} closed (${describeClose(code, reason.toString())})`);
        for (const w of this.waiting.values()) {
          clearTimeout(w.timer);
          w.reject(why);
        }
        this.waiting.clear();
        this.onClose(why);
        resolve();
      });
    });
  }

  /**
   * Open a socket. Rejects with UNAUTHORIZED for a refused token, UNAVAILABLE when the server cannot
   * be reached in time or refuses the upgrade otherwise, CLOSED when `signal` aborts first.
   */
  static open(o: WsConnectionOptions, signal: AbortSignal): Promise<WsConnection> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new TinyQSError("CLOSED"));
      const headers: Record<string, string> = o.authorization === undefined ? {} : { authorization: o.authorization };
      const socket = new WebSocket(o.url, { headers, handshakeTimeout: o.timeoutMs, perMessageDeflate: false, ...o.tls });
      let settled = false;
      const fail = (e: TinyQSError) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener("abort", abort);
        socket.terminate();
        reject(e);
      };
      const abort = () => fail(new TinyQSError("CLOSED"));
      signal.addEventListener("abort", abort, { once: true });
      socket.on("error", (e: Error) =>
        fail(tlsError(e, o.url) ?? new TinyQSError("UNAVAILABLE", `the tinyqs server's WebSocket at ${o.url} cannot be reached: ${e.message}`, { cause: e })),
      );
      // Not a 101: the server's JSON error body says why (401 a wrong token, 404 no WebSocket there).
      socket.once("unexpected-response", (_req, res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d.slice(0, 1000)));
        res.on("error", () => {});
        res.on("end", () => {
          let refused: TinyQSError | null = null;
          try {
            refused = errorOfFrame(JSON.parse(text) as Frame);
          } catch {
            /* not JSON */
          }
          if (res.statusCode === 401) fail(new TinyQSError("UNAUTHORIZED", refused?.message));
          else fail(new TinyQSError("UNAVAILABLE", `the WebSocket upgrade at ${o.url} was refused: HTTP ${res.statusCode}${refused ? `: ${refused.message}` : ""}`));
        });
      });
      socket.once("open", () => {
        if (settled) return;
        settled = true;
        signal.removeEventListener("abort", abort);
        socket.removeAllListeners("error");
        socket.removeAllListeners("unexpected-response");
        resolve(new WsConnection(socket, o));
      });
    });
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Send one request; resolves with its successful reply, rejects with its error (TIMEOUT after timeoutMs). */
  request(fields: RequestFrame): Promise<Frame> {
    if (!this.isOpen) return Promise.reject(new TinyQSError("UNAVAILABLE", `the WebSocket to ${this.o.url} is not open`));
    const requestId = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        reject(new TinyQSError("TIMEOUT", `no reply to ${fields.op} from ${this.o.url} within ${this.o.timeoutMs} ms`));
      }, this.o.timeoutMs);
      this.waiting.set(requestId, { resolve, reject, timer });
      corkForTick(this.socket); // the requests of this tick (a worker's acknowledgements) leave in one write
      this.socket.send(JSON.stringify({ ...fields, requestId }));
    });
  }

  /** Close cleanly (the server puts back what this socket held); cut it if the handshake does not end in time. */
  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close(1000);
    const timer = setTimeout(() => this.socket.terminate(), this.o.timeoutMs);
    await this.closed;
    clearTimeout(timer);
  }

  private frame(text: string): void {
    let f: Frame;
    try {
      f = JSON.parse(text) as Frame;
    } catch {
      this.onFailure(new TinyQSError("INTERNAL", `a frame from ${this.o.url} that is not JSON: ${text.slice(0, 200)}`));
      return;
    }
    if (f.op === "reply") {
      const w = typeof f.requestId === "number" ? this.waiting.get(f.requestId) : undefined;
      if (!w) return; // its request timed out already
      this.waiting.delete(f.requestId as number);
      clearTimeout(w.timer);
      if (f.ok === true) w.resolve(f);
      else w.reject(errorOfFrame(f));
    } else if (f.op === "message") {
      this.onMessage(messageFromFrame(f));
    } else if (f.op === "error") {
      this.onFailure(errorOfFrame(f));
    }
  }
}

function describeClose(code: number, reason: string): string {
  const what =
    code === 1001 ? "the server is going away" : code === 1006 ? "connection cut" : code === 1009 ? "a frame was too big" : `code ${code}`;
  return reason ? `${what}: ${reason}` : what;
}
