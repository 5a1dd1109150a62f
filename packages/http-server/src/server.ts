// createHttpServer(options) → { app, server, engine, listen, close }: the engine, the express app and the
// WebSocket endpoint on one node:http server, and a shutdown that loses nothing: long polls answer
// "nothing came", sockets give their messages back, requests in progress get to finish.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";
import { TinyQS, type DurabilityOptions, type RedisInput, type TinyQSApi } from "@tinyqs/core";
import { createApp } from "./app.js";
import { tokenChecker } from "./auth.js";
import { Context } from "./context.js";
import { DEFAULTS } from "./defaults.js";
import { Metrics } from "./metrics.js";
import { parseAllowedHosts } from "./allowed-hosts.js";
import { originPolicy, parseCorsOrigins } from "./origin.js";
import { attachWebSocket } from "./ws/attach.js";

export interface HttpServerOptions {
  /** An engine (or any TinyQSApi) to serve; yours, so close() leaves it open. Default: one made from `redis`. */
  engine?: TinyQSApi;
  /** Where the engine this server makes connects (ignored with `engine`). Default redis://127.0.0.1:6379. */
  redis?: RedisInput;
  /** How long the engine this server makes waits for an unreachable Redis before 503 UNAVAILABLE, 1-600000 ms (default 5000). */
  redisTimeoutMs?: number;
  /** Let a new engine serve a Redis whose maxmemory-policy evicts keys (it loses messages when full); default false: refused (MISCONFIGURED). */
  allowEviction?: boolean;
  /** A new engine's replica-acknowledged writes (TinyQSOptions.durability). */
  durability?: DurabilityOptions;
  /** Key prefix of the engine this server makes (default "tinyqs"). */
  prefix?: string;
  /** listen() defaults. */
  host?: string;
  port?: number;
  /** Require `Authorization: Bearer <token>` on every route but /healthz. */
  token?: string;
  /**
   * Web pages of other origins allowed to use the server from a browser (CORS): `http(s)://host[:port]`
   * each, or `*` for any; a string is split at commas. Pages of the server's own origin and
   * non-browser clients (no Origin header) need nothing here. Default: none.
   */
  corsOrigins?: string | readonly string[];
  /**
   * Host names the server answers to besides localhost, IP addresses and the name given to listen()
   * (a defence against DNS rebinding): a request for any other `Host` is refused (403). Each a name
   * (`queue.example`), or `.example` for it and every name under it; a string is split at commas.
   * Needed for a name clients or a reverse proxy (one that passes its own Host) reach it by.
   */
  allowedHosts?: string | readonly string[];
  /** Largest message body read from a request (413 beyond, the rest unread). Default 1 MiB. */
  maxMessageBytes?: number;
  /** Longest long poll (waitMs) a request may ask for. Default 20 000 ms. */
  maxWaitMs?: number;
  /** How long close() lets requests in progress finish before cutting them. Default 10 000 ms. */
  shutdownGraceMs?: number;
  /** Where errors worth a human's look go (bugs, not bad requests). Default: stderr. */
  log?: (line: string) => void;
}

export interface TinyQSHttpServer {
  app: Express;
  server: Server;
  /** The engine it serves (the one given, or the one it made). */
  readonly engine: TinyQSApi;
  /** Start listening (port 0: any free port); resolves with the address, e.g. http://127.0.0.1:7380. */
  listen(port?: number, host?: string): Promise<{ host: string; port: number; url: string }>;
  /** Graceful stop: no new connections; waits end; sockets give back their messages; then the engine (if ours) closes. */
  close(): Promise<void>;
}

function intOption(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

export function createHttpServer(options: HttpServerOptions = {}): TinyQSHttpServer {
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const maxMessageBytes = intOption("maxMessageBytes", options.maxMessageBytes, DEFAULTS.maxMessageBytes);
  const maxWaitMs = intOption("maxWaitMs", options.maxWaitMs, DEFAULTS.maxWaitMs, 0);
  const graceMs = intOption("shutdownGraceMs", options.shutdownGraceMs, DEFAULTS.shutdownGraceMs);
  if (options.token !== undefined && options.token.length === 0) throw new RangeError("token must not be empty");

  // Checked before an engine is made: a bad option must not leave a Redis connection behind.
  const origins = originPolicy(parseCorsOrigins(options.corsOrigins), parseAllowedHosts(options.allowedHosts));

  const owned = !options.engine;
  const engine = options.engine ?? new TinyQS({ redis: options.redis ?? DEFAULTS.redis, prefix: options.prefix, timeoutMs: options.redisTimeoutMs, allowEviction: options.allowEviction, durability: options.durability });
  const metrics = new Metrics(engine);
  const ctx = new Context(metrics.instrument(engine), {
    maxMessageBytes,
    maxWaitMs,
    maxJsonBytes: Math.ceil(maxMessageBytes / 3) * 4 + DEFAULTS.jsonOverheadBytes,
  });
  const checkToken = tokenChecker(options.token);

  const app = createApp({ ctx, engine, metrics, checkToken, origins, healthTimeoutMs: DEFAULTS.healthTimeoutMs, log });
  const server = createServer(app);
  // Handle "Expect: 100-continue" in the routes: the body is invited only once its size is known to fit.
  server.on("checkContinue", (req, res) => server.emit("request", req, res));
  const ws = attachWebSocket(server, {
    ctx, metrics, checkToken, origins, maxPrefetch: DEFAULTS.maxPrefetch, pollMs: DEFAULTS.wsPollMs, pingMs: DEFAULTS.wsPingMs,
  });

  let closing: Promise<void> | null = null;

  return {
    app,
    server,
    engine,
    listen(port = options.port ?? DEFAULTS.port, host = options.host ?? DEFAULTS.host) {
      // Listening on a name (`--host queue.lan`): clients dialling it send that name as Host.
      origins.allowHost(host);
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const a = server.address() as AddressInfo;
          const h = a.family === "IPv6" ? `[${a.address}]` : a.address;
          resolve({ host: a.address, port: a.port, url: `http://${h}:${a.port}` });
        });
      });
    },
    close() {
      return (closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
        ctx.abortAll(); // long polls answer now
        server.closeIdleConnections();
        await ws.close();
        // A connection whose request finishes now (a long poll just answered) stays open for keep-alive:
        // close such connections as they go idle, and cut whatever is still busy after the grace period.
        const sweep = setInterval(() => server.closeIdleConnections(), 25);
        const cut = setTimeout(() => server.closeAllConnections(), graceMs);
        await stopped;
        clearInterval(sweep);
        clearTimeout(cut);
        if (owned) await engine.close();
      })());
    },
  };
}
