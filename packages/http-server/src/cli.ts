#!/usr/bin/env node
// `tinyqs-http`: run the HTTP/WebSocket server from a shell. Flags win over environment variables,
// which win over the defaults. SIGTERM/SIGINT stop it gracefully; a second signal stops it at once.
import { parseArgs } from "node:util";
import { DEFAULTS } from "./defaults.js";

const HELP = `usage: tinyqs-http [options]

Serves a tinyqs queue over HTTP (REST under /v1) and WebSocket (/v1/ws).

  --host HOST               address to listen on          [TINYQS_HOST]   default ${DEFAULTS.host}
  --port PORT               port to listen on (0: any)    [TINYQS_PORT]   default ${DEFAULTS.port}
  --redis URL               Redis to use                  [TINYQS_REDIS_URL] default ${DEFAULTS.redis}
  --prefix PREFIX           first part of every Redis key [TINYQS_PREFIX] default tinyqs
  --token TOKEN             require "Authorization: Bearer TOKEN" on every route but /healthz
                            (WebSocket: that header, or ?token=TOKEN)  [TINYQS_TOKEN]
  --max-message-bytes N     largest body a request may carry; larger → 413, unread
                                                          [TINYQS_MAX_MESSAGE_BYTES] default ${DEFAULTS.maxMessageBytes}
  --max-wait-ms N           longest long poll (waitMs) allowed [TINYQS_MAX_WAIT_MS] default ${DEFAULTS.maxWaitMs}
  -h, --help                this text

Routes: GET /v1/openapi.json describes them all; GET /healthz; GET /metrics (Prometheus).`;

function fail(message: string): never {
  process.stderr.write(`tinyqs-http: ${message}\n\n${HELP}\n`);
  process.exit(2);
}

function int(name: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    fail(`${name} must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : " up"}, got ${JSON.stringify(value)}`);
  }
  return n;
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      host: { type: "string" },
      port: { type: "string" },
      redis: { type: "string" },
      prefix: { type: "string" },
      token: { type: "string" },
      "max-message-bytes": { type: "string" },
      "max-wait-ms": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  }));
} catch (e) {
  fail((e as Error).message);
}
if (values.help) {
  process.stdout.write(HELP + "\n");
  process.exit(0);
}

const env = process.env;
const opt = (flag: string, name: string) => (values[flag] as string | undefined) ?? (env[name] || undefined);

const token = opt("token", "TINYQS_TOKEN");
const options = {
  redis: opt("redis", "TINYQS_REDIS_URL") ?? DEFAULTS.redis,
  prefix: opt("prefix", "TINYQS_PREFIX"),
  token,
  maxMessageBytes: int("--max-message-bytes", opt("max-message-bytes", "TINYQS_MAX_MESSAGE_BYTES"), 1),
  maxWaitMs: int("--max-wait-ms", opt("max-wait-ms", "TINYQS_MAX_WAIT_MS"), 0),
};
const port = int("--port", opt("port", "TINYQS_PORT"), 0, 65535) ?? DEFAULTS.port;
const host = opt("host", "TINYQS_HOST") ?? DEFAULTS.host;

// Loaded only now, so that --help and flag errors answer without loading express, ioredis and co.
const { createHttpServer } = await import("./server.js");
let http: ReturnType<typeof createHttpServer>;
try {
  http = createHttpServer(options);
} catch (e) {
  fail((e as Error).message);
}

// Signal handlers go in before the "listening" line: whoever reads that line may signal at once.
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stdout.write(`tinyqs-http: ${signal}, shutting down\n`);
    http.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`tinyqs-http: shutdown failed: ${String(e)}\n`);
        process.exit(1);
      },
    );
  });
}

try {
  const { url } = await http.listen(port, host);
  // The bench and the tests read this line to learn the port (with --port 0).
  process.stdout.write(`tinyqs-http listening on ${url}${token ? " (bearer token required)" : ""}\n`);
} catch (e) {
  process.stderr.write(`tinyqs-http: cannot listen on ${host}:${port}: ${(e as Error).message}\n`);
  await http.close();
  process.exit(1);
}
