#!/usr/bin/env node
// `tinyqs-http`: run the HTTP/WebSocket server from a shell. The flags and environment variables
// are one table below, read by @tinyqs/core/cli (a flag beats its variable, both beat the default,
// and --help comes from the same table). SIGTERM/SIGINT stop it gracefully; a second signal stops
// it at once.
import { DEFAULTS as CORE_DEFAULTS, DEPRECATED_ENV, ENV, allowEvictionSetting, closeOnStopSignals, durabilitySettings, readCommandLine, redisRefusal, usage, type CliSpec } from "@tinyqs/core/cli";
import { DEFAULTS } from "./defaults.js";
import { parseAllowedHosts } from "./allowed-hosts.js";
import { parseCorsOrigins } from "./origin.js";
import type { HttpServerOptions } from "./server.js";

interface HttpCliConfig {
  host: string;
  port: number;
  server: Pick<HttpServerOptions, "redis" | "redisTimeoutMs" | "allowEviction" | "durability" | "prefix" | "token" | "corsOrigins" | "allowedHosts" | "maxMessageBytes" | "maxWaitMs">;
}

const CLI: CliSpec<HttpCliConfig> = {
  name: "tinyqs-http",
  usage: "tinyqs-http [options]",
  intro: ["Serves tinyqs queues over HTTP (REST under /v1) and WebSocket (/v1/ws). Stops cleanly on", "SIGTERM / SIGINT."],
  outro: ["Routes: GET /v1/openapi.json describes them all; GET /healthz; GET /metrics (Prometheus)."],
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
  ],
  defaults: () => ({ host: DEFAULTS.host, port: DEFAULTS.port, server: { redis: DEFAULTS.redis } }),
};

function fail(message: string): number {
  process.stderr.write(`tinyqs-http: ${message}\n\n${usage(CLI)}\n`);
  return 2;
}

async function main(): Promise<number> {
  const read = readCommandLine(CLI);
  if ("exitCode" in read) return read.exitCode;
  const { host, port, server: options } = read.config;
  // Loaded only now, so that --help and flag errors answer without loading express, ioredis and co.
  const { createHttpServer } = await import("./server.js");
  let http: ReturnType<typeof createHttpServer>;
  try {
    http = createHttpServer(options);
  } catch (e) {
    return fail((e as Error).message);
  }
  // A Redis that would lose messages (an evicting maxmemory-policy) stops the start, saying why.
  const refusal = await redisRefusal(http.engine);
  if (refusal) {
    process.stderr.write(`tinyqs-http: ${refusal}\n`);
    await http.close();
    return 1;
  }
  // Signal handlers go in before the "listening" line: whoever reads that line may signal at once.
  const stopped = closeOnStopSignals({ name: CLI.name, announce: true }, () => http.close());
  try {
    const { url } = await http.listen(port, host);
    // The bench and the tests read this line to learn the port (with --port 0).
    process.stdout.write(`tinyqs-http listening on ${url}${options.token ? " (bearer token required)" : ""}\n`);
  } catch (e) {
    process.stderr.write(`tinyqs-http: cannot listen on ${host}:${port}: ${(e as Error).message}\n`);
    await http.close();
    return 1;
  }
  return stopped;
}

process.exit(await main());
