#!/usr/bin/env node
// `tinyqs-http`: run the HTTP/WebSocket server from a shell. The flags and environment variables
// are one table below, read by @tinyqs/core/cli (a flag beats its variable, both beat the default,
// and --help comes from the same table). SIGTERM/SIGINT stop it gracefully; a second signal stops
// it at once.
import {
  DEFAULTS as CORE_DEFAULTS, DEPRECATED_ENV, ENV, allowEvictionSetting, boundSettings, closeOnStopSignals, durabilitySettings, onReloadSignal,
  readCommandLine, redisRefusal, securitySettings, tlsFilesOf, usage, type CliSpec, type SecurityFlags,
} from "@tinyqs/core/cli";
import { DEFAULTS } from "./defaults.js";
import { parseAllowedHosts } from "./allowed-hosts.js";
import { parseCorsOrigins } from "./origin.js";
import type { HttpServerOptions } from "./server.js";
import { sqsGuardRefusal, sqsSettings, type SqsCliConfig } from "./sqs/cli-settings.js";
import { uiSettings } from "./ui/cli-settings.js";

interface HttpCliConfig {
  host: string;
  port: number;
  sqs: SqsCliConfig;
  server: Omit<HttpServerOptions, "engine" | "host" | "port" | "log" | "shutdownGraceMs" | "tls" | "usersFile">;
  /** --tls-* and --users as given. */
  security: SecurityFlags;
}

const CLI: CliSpec<HttpCliConfig> = {
  name: "tinyqs-http",
  usage: "tinyqs-http [options]",
  intro: ["Serves tinyqs queues over HTTP (REST under /v1) and WebSocket (/v1/ws). Stops cleanly on", "SIGTERM / SIGINT."],
  outro: [
    "Routes: GET /v1/openapi.json describes them all; GET /healthz; GET /metrics (Prometheus).",
    "The dashboard: http://HOST:PORT/ui/ (docs/dashboard.md); --ui read-only or --no-ui.",
    "With --sqs-port, Amazon SQS's API on a port of its own (docs/sqs.md) on the same queues.",
    "tinyqs-http hash-password   reads a password on stdin, prints its hash for the --users file.",
    "SIGHUP re-reads the TLS files and the users file (open connections stay; a removed user's WebSockets close).",
  ],
  settings: [
    { flag: "--host", env: ENV.host, arg: "HOST", help: `address to listen on (default ${DEFAULTS.host})`, set: (c, v) => (c.host = v.text()) },
    {
      flag: "--port", env: ENV.httpPort, deprecatedEnv: DEPRECATED_ENV.httpPort, arg: "PORT",
      help: `port to listen on (default ${DEFAULTS.port}; 0: any free port)`, set: (c, v) => (c.port = v.port()),
    },
    { flag: "--redis", env: ENV.redis, arg: "URL", help: `the Redis to use (default ${DEFAULTS.redis})`, set: (c, v) => (c.server.redis = v.text()) },
    {
      // The engine's own range (new TinyQS({ timeoutMs })).
      flag: "--redis-timeout-ms", env: ENV.redisTimeoutMs, arg: "MS",
      help: `how long the engine waits for Redis before answering UNAVAILABLE,\n1-600000 (default ${CORE_DEFAULTS.redisTimeoutMs}; keep it below the clients' timeoutMs, default ${CORE_DEFAULTS.clientTimeoutMs})`, set: (c, v) => (c.server.redisTimeoutMs = v.integer(1, 600_000)),
    },
    allowEvictionSetting((c, allow) => (c.server.allowEviction = allow)),
    ...durabilitySettings<HttpCliConfig>((c) => (c.server.durability ??= { replicas: 0 })),
    { flag: "--prefix", env: ENV.prefix, arg: "PREFIX", help: "first part of every Redis key (default tinyqs)", set: (c, v) => (c.server.prefix = v.text()) },
    {
      flag: "--token", env: ENV.token, arg: "TOKEN",
      help: 'require "Authorization: Bearer TOKEN" on every route but /healthz\n(WebSocket: that header, or ?token=TOKEN; prefer the variable: flags show in ps)',
      set: (c, v) => (c.server.token = v.text()),
    },
    ...securitySettings<HttpCliConfig>((c) => c.security, "the port (HTTPS and wss://)"),
    {
      flag: "--cors-origin", env: "TINYQS_CORS_ORIGIN", arg: "ORIGIN[,ORIGIN…]",
      help: "web pages of these origins (https://app.example, or * for any) may call the server from a\nbrowser; other origins are refused (403), pages of the server's own origin need nothing",
      set: (c, v) => (c.server.corsOrigins = parseCorsOrigins(v.text())),
    },
    {
      flag: "--allowed-host", env: "TINYQS_ALLOWED_HOSTS", arg: "NAME[,NAME…]",
      help: "host names the server answers to besides localhost and IP addresses (.example: it and\nevery name under it); requests for other names (Host header) are refused (403), against\nDNS rebinding: list the names clients or a proxy reach it by",
      set: (c, v) => (c.server.allowedHosts = parseAllowedHosts(v.text())),
    },
    {
      flag: "--max-message-bytes", env: ENV.maxMessageBytes, arg: "N",
      help: `largest body a request may carry; larger → 413, unread (default ${DEFAULTS.maxMessageBytes})`,
      set: (c, v) => (c.server.maxMessageBytes = v.integer(1)),
    },
    {
      flag: "--max-wait-ms", env: "TINYQS_MAX_WAIT_MS", arg: "N", help: `longest long poll (waitMs) allowed (default ${DEFAULTS.maxWaitMs})`,
      set: (c, v) => (c.server.maxWaitMs = v.integer(0)),
    },
    ...uiSettings<HttpCliConfig>((c, mode) => (c.server.ui = mode)),
    ...sqsSettings<HttpCliConfig>(ENV, (c) => c.sqs, false),
    {
      flag: "--headers-timeout-ms", env: "TINYQS_HEADERS_TIMEOUT_MS", arg: "MS",
      help: `a request's headers must arrive within this, else 408 and close (default ${DEFAULTS.headersTimeoutMs})`,
      set: (c, v) => (c.server.headersTimeoutMs = v.integer(1, 3_600_000)),
    },
    {
      flag: "--request-timeout-ms", env: "TINYQS_REQUEST_TIMEOUT_MS", arg: "MS",
      help: `a whole request (headers and body) must arrive within this, else 408 and close\n(default ${DEFAULTS.requestTimeoutMs}; long polls are not affected: they wait on the server)`,
      set: (c, v) => (c.server.requestTimeoutMs = v.integer(1, 3_600_000)),
    },
    {
      flag: "--min-body-rate", env: "TINYQS_MIN_BODY_RATE", arg: "BYTES_PER_S",
      help: `a body slower than this on average after --body-rate-grace-ms gets 408 REQUEST_TIMEOUT\nand a close (default ${DEFAULTS.minBodyBytesPerSecond}; 0: no minimum)`,
      set: (c, v) => (c.server.minBodyBytesPerSecond = v.integer(0, 1024 ** 3)),
    },
    {
      flag: "--body-rate-grace-ms", env: "TINYQS_BODY_RATE_GRACE_MS", arg: "MS",
      help: `how long a body may take before its rate is judged (default ${DEFAULTS.bodyRateGraceMs})`,
      set: (c, v) => (c.server.bodyRateGraceMs = v.integer(0, 3_600_000)),
    },
    {
      flag: "--keep-alive-timeout-ms", env: "TINYQS_KEEP_ALIVE_TIMEOUT_MS", arg: "MS",
      help: `close a connection idle this long between requests (default ${DEFAULTS.keepAliveTimeoutMs})`,
      set: (c, v) => (c.server.keepAliveTimeoutMs = v.integer(1, 3_600_000)),
    },
    // --max-buffered-bytes, --slow-reader-timeout-ms, --auth-timeout-ms, --max-pending-auth,
    // --max-connections-per-address: the same in tinyqs-tcp (core's cli/bounds.ts).
    ...boundSettings<HttpCliConfig>((c) => c.server, "a request or upgrade carrying the token or a user's credentials"),
  ],
  defaults: () => ({ host: DEFAULTS.host, port: DEFAULTS.port, server: { redis: DEFAULTS.redis }, sqs: { port: null }, security: {} }),
};

function fail(message: string): number {
  process.stderr.write(`tinyqs-http: ${message}\n\n${usage(CLI)}\n`);
  return 2;
}

async function main(): Promise<number> {
  if (process.argv[2] === "hash-password") {
    const { hashPasswordCommand } = await import("@tinyqs/core/security");
    return hashPasswordCommand(CLI.name);
  }
  const read = readCommandLine(CLI);
  if ("exitCode" in read) return read.exitCode;
  const { host, port, sqs, security } = read.config;
  const sqsRefused = sqsGuardRefusal(sqs, security);
  if (sqsRefused) return fail(sqsRefused);
  let options: HttpServerOptions;
  try {
    options = { ...read.config.server, tls: tlsFilesOf(security), usersFile: security.usersFile };
  } catch (e) {
    return fail((e as Error).message);
  }
  // Loaded only now, so that --help and flag errors answer without loading express, ioredis and co.
  const [{ createHttpServer }, { createSqsServer }, { TinyQS }] = await Promise.all([import("./server.js"), import("./sqs/server.js"), import("@tinyqs/core")]);
  let servers: ReturnType<typeof serveBoth>;
  const serveBoth = () => {
    if (sqs.port === null) return { http: createHttpServer(options), sqs: null, close: async () => {} };
    // One engine for both: the SQS port needs the engine itself (its queue records).
    const engine = new TinyQS({
      redis: options.redis ?? DEFAULTS.redis, prefix: options.prefix, timeoutMs: options.redisTimeoutMs,
      allowEviction: options.allowEviction, durability: options.durability,
    });
    try {
      const http = createHttpServer({ ...options, engine });
      return { http, sqs: createSqsServer({ engine, ...sqs, port: sqs.port }), close: () => engine.close() };
    } catch (e) {
      void engine.close();
      throw e;
    }
  };
  try {
    servers = serveBoth();
  } catch (e) {
    return fail((e as Error).message);
  }
  const closeAll = async () => {
    await Promise.all([servers.http.close(), servers.sqs?.close()]);
    await servers.close();
  };
  // A Redis that would lose messages (an evicting maxmemory-policy) stops the start, saying why.
  const refusal = await redisRefusal(servers.http.engine);
  if (refusal) {
    process.stderr.write(`tinyqs-http: ${refusal}\n`);
    await closeAll();
    return 1;
  }
  // Signal handlers go in before the "listening" line: whoever reads that line may signal at once.
  const stopped = closeOnStopSignals({ name: CLI.name, announce: true }, closeAll);
  onReloadSignal(CLI.name, () => servers.http.reload());
  let at = `${host}:${port}`;
  try {
    const { url } = await servers.http.listen(port, host);
    at = `${host}:${sqs.port} (SQS)`;
    const sqsAt = servers.sqs && (await servers.sqs.listen(sqs.port!, host));
    // The bench and the tests read these lines to learn the ports (with --port 0 / --sqs-port 0).
    const auth = [options.token ? "bearer token required" : "", options.usersFile ? `users from ${options.usersFile}` : ""].filter(Boolean).join(", ");
    const certs = options.tls?.clientAuth ? `client certificates ${options.tls.clientAuth === "require" ? "required" : "checked"}` : "";
    const notes = [auth, certs].filter(Boolean).join("; ");
    process.stdout.write(`tinyqs-http listening on ${url}${notes ? ` (${notes})` : ""}\n`);
    if (sqsAt) process.stdout.write(`tinyqs-http SQS API on ${sqsAt.url}${sqs.credentials ? " (Signature V4 required)" : " (any credentials accepted: see --sqs-credentials)"}\n`);
  } catch (e) {
    process.stderr.write(`tinyqs-http: cannot listen on ${at}: ${(e as Error).message}\n`);
    await closeAll();
    return 1;
  }
  return stopped;
}

process.exit(await main());
