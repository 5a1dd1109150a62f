// createHttpServer(options) → { app, server, engine, listen, close }: the engine, the express app and the
// WebSocket endpoint on one node:http server, and a shutdown that loses nothing: long polls answer
// "nothing came", sockets give their messages back, requests in progress get to finish.
import { createServer, type Server } from "node:http";
import { listenOn } from "./listen.js";
import { createServer as createHttpsServer } from "node:https";
import type { Server as TlsServer } from "node:tls";
import type { Express } from "express";
import { ByteBudget, TinyQS, checkBounds, checkInt, type BoundOptions, type DurabilityOptions, type RedisInput, type TinyQSApi } from "@tinyqs/core";
import { createApp } from "./app.js";
import { Access, reloadTls, serverTlsOptions, type LoginLimitOptions, type TlsFiles } from "@tinyqs/core/security";
import { tlsClientRefusal } from "./tls-client.js";
import { Context } from "./context.js";
import { guardConnections } from "./connection-guard.js";
import { DEFAULTS, TIMEOUT_CHECK_MS } from "./defaults.js";
import { Metrics } from "./metrics.js";
import { parseAllowedHosts } from "./allowed-hosts.js";
import { originPolicy, parseCorsOrigins } from "./origin.js";
import { attachWebSocket } from "./ws/attach.js";
import { checkUiMode, type UiMode } from "./ui/mode.js";
import { LiveSampler } from "./ui/sampler.js";
import { statsSource } from "./ui/stats-source.js";

export interface HttpServerOptions extends BoundOptions {
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
  /** Require `Authorization: Bearer <token>` on every route but /healthz: the all-powerful user `default`. */
  token?: string;
  /** A users file (JSON: names, scrypt hashes, grants per queue glob): Basic user:password or Bearer <password>; re-read by reload(). */
  usersFile?: string;
  /** Serve HTTPS (and wss://): PEM certificate and key (and a CA for client certificates); re-read by reload(). */
  tls?: TlsFiles;
  /** The failed-login limit per remote address (default: 10 a second, then refusals delayed 1 s). */
  loginLimit?: LoginLimitOptions;
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
  /**
   * The dashboard page at /ui/ (docs/dashboard.md): "on" (default), "read-only" (no actions; the
   * page's changing requests are refused, 403) or "off" (no page; its live stream stays an API route).
   */
  ui?: UiMode;
  /**
   * The metrics registry to count in (GET /metrics serves it): give the one the process's other
   * servers count in too (pnpm start does, with the TCP server's). Default: one of this server's own.
   */
  metrics?: Metrics;
  /** Where errors worth a human's look go (bugs, not bad requests). Default: stderr. */
  log?: (line: string) => void;
  /** A request's headers must arrive within this, else 408 and close. Default 10 000 ms. */
  headersTimeoutMs?: number;
  /** A whole request (headers and body) must arrive within this, else 408 and close. Default 60 000 ms. */
  requestTimeoutMs?: number;
  /** A body's least average rate once `bodyRateGraceMs` passed (408 REQUEST_TIMEOUT below); 0: none. Default 1024 bytes/s. */
  minBodyBytesPerSecond?: number;
  /** Default 5 000 ms. */
  bodyRateGraceMs?: number;
  /** How long a connection may sit idle between requests. Default 5 000 ms. */
  keepAliveTimeoutMs?: number;
  // And the bounds (BoundOptions, core's bounds.ts): maxBufferedBytes (256 MiB), slowReaderTimeoutMs
  // (10 s), authTimeoutMs (10 s) and maxPendingAuth (1000) with a token, maxConnectionsPerAddress
  // (1000; 0: no limit).
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
  /**
   * Re-read the TLS files and the users file (SIGHUP): new connections get the new certificate,
   * open ones keep theirs; WebSockets of a user removed (or whose password changed, or who may no
   * longer receive from a queue it is subscribed to) are closed (1008); every request after it is
   * checked against the new file. Returns what was re-read; throws, changing nothing of that file, if one is bad.
   */
  reload(): string[];
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
  const bounds = checkBounds(options);
  const timeouts = requestTimeouts(options);
  const budget = new ByteBudget(bounds.maxBufferedBytes);

  // Checked before an engine is made: a bad option must not leave a Redis connection behind.
  const origins = originPolicy(parseCorsOrigins(options.corsOrigins), parseAllowedHosts(options.allowedHosts));
  const access = new Access({ secret: options.token, usersFile: options.usersFile, log: (line) => log(`tinyqs-http: ${line}`), limit: options.loginLimit });
  const tlsOptions = options.tls ? serverTlsOptions(options.tls) : null;
  const scheme = tlsOptions ? "https" : "http";

  const owned = !options.engine;
  const engine = options.engine ?? new TinyQS({ redis: options.redis ?? DEFAULTS.redis, prefix: options.prefix, timeoutMs: options.redisTimeoutMs, allowEviction: options.allowEviction, durability: options.durability });
  const metrics = options.metrics ?? new Metrics(engine);
  const ctx = new Context(metrics.instrument(engine, "rest"), {
    maxMessageBytes,
    maxWaitMs,
    maxJsonBytes: Math.ceil(maxMessageBytes / 3) * 4 + DEFAULTS.jsonOverheadBytes,
    bodies: { budget, minBytesPerSecond: timeouts.minBodyBytesPerSecond, graceMs: timeouts.bodyRateGraceMs },
  });
  // The page's requests and the WebSocket's operations are counted apart from REST's (metrics.ts).
  const pageCtx = ctx.withApi(metrics.instrument(engine, "ui"));
  const sampler = new LiveSampler(statsSource(engine, pageCtx.api), { intervalMs: DEFAULTS.uiSampleMs, historyMs: DEFAULTS.uiHistoryMs, sampled: () => metrics.uiSamples.inc() });
  const ui = { mode: checkUiMode(options.ui ?? "on"), ctx: pageCtx, sampler };
  const app = createApp({ ctx, ui, engine, metrics, access, origins, healthTimeoutMs: DEFAULTS.healthTimeoutMs, log, authenticated: (s) => guard.authenticated(s) });
  // node's own timeouts answer 408 and close (or just close once a response has begun); a request
  // is complete when its body is, so a long poll waiting on the engine is not timed out.
  const serverOptions = {
    headersTimeout: timeouts.headersTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    connectionsCheckingInterval: TIMEOUT_CHECK_MS,
  };
  // A TLS handshake must end within the headers timeout (node's default would hold a silent socket 120 s).
  const server: Server = tlsOptions
    ? createHttpsServer({ ...tlsOptions, ...serverOptions, handshakeTimeout: timeouts.headersTimeoutMs }, app)
    : createServer(serverOptions, app);
  if (options.tls) {
    const files = options.tls;
    // A failed handshake (plain HTTP on this port, an untrusted client certificate) closes that socket only.
    server.on("tlsClientError", (_e: Error, socket: import("node:net").Socket) => socket.destroy());
    server.on("secureConnection", (socket) => tlsClientRefusal(socket, files, log));
  }
  const guard = guardConnections(server, bounds, budget, access.required);
  // Handle "Expect: 100-continue" in the routes: the body is invited only once its size is known to fit.
  server.on("checkContinue", (req, res) => server.emit("request", req, res));
  const ws = attachWebSocket(server, {
    ctx: ctx.withApi(metrics.instrument(engine, "ws")), metrics, access, origins, maxPrefetch: DEFAULTS.maxPrefetch, pollMs: DEFAULTS.wsPollMs, pingMs: DEFAULTS.wsPingMs,
    authenticated: (s) => guard.authenticated(s),
  });

  let closing: Promise<void> | null = null;

  return {
    app,
    server,
    engine,
    listen(port = options.port ?? DEFAULTS.port, host = options.host ?? DEFAULTS.host) {
      // Listening on a name (`--host queue.lan`): clients dialling it send that name as Host.
      origins.allowHost(host);
      return listenOn(server, port, host, scheme);
    },
    reload() {
      const done: string[] = [];
      if (options.tls) {
        reloadTls(server as unknown as TlsServer, options.tls);
        done.push("the TLS certificate");
      }
      if (options.usersFile !== undefined) {
        access.reload();
        done.push("the users file");
        ws.recheck();
      }
      return done;
    },
    close() {
      return (closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
        guard.stop();
        sampler.stop();
        ctx.abortAll(); // long polls answer now, live streams end
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

/** The request timeouts, checked with core's ranges; the headers' within the whole request's, as node requires. */
function requestTimeouts(o: HttpServerOptions) {
  const hour = 3_600_000;
  const t = {
    headersTimeoutMs: checkInt("headersTimeoutMs", o.headersTimeoutMs, 1, hour, DEFAULTS.headersTimeoutMs),
    requestTimeoutMs: checkInt("requestTimeoutMs", o.requestTimeoutMs, 1, hour, DEFAULTS.requestTimeoutMs),
    minBodyBytesPerSecond: checkInt("minBodyBytesPerSecond", o.minBodyBytesPerSecond, 0, 1024 ** 3, DEFAULTS.minBodyBytesPerSecond),
    bodyRateGraceMs: checkInt("bodyRateGraceMs", o.bodyRateGraceMs, 0, hour, DEFAULTS.bodyRateGraceMs),
    keepAliveTimeoutMs: checkInt("keepAliveTimeoutMs", o.keepAliveTimeoutMs, 1, hour, DEFAULTS.keepAliveTimeoutMs),
  };
  if (t.headersTimeoutMs > t.requestTimeoutMs) {
    throw new RangeError(`headersTimeoutMs (${t.headersTimeoutMs}) must not be longer than requestTimeoutMs (${t.requestTimeoutMs})`);
  }
  return t;
}
