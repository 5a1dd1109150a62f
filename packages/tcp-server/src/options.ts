// The flags and environment variables of `tinyqs-tcp`: one table, from which @tinyqs/core/cli
// parses the command line (a flag beats its variable, both beat the default) and writes --help.
import {
  DEFAULTS as CORE_DEFAULTS, DEPRECATED_ENV, ENV, allowEvictionSetting, boundSettings, durabilitySettings, parseCommandLine, redactUrl,
  securitySettings, tlsFilesOf, usage, type CliRequest as KitRequest, type CliSetting, type CliSpec, type SecurityFlags,
} from "@tinyqs/core/cli";
import { DEFAULTS, VERSION } from "./defaults.js";
import type { TcpServerOptions } from "./server.js";

export { redactUrl };

export interface CliConfig {
  host: string;
  port: number;
  server: TcpServerOptions;
  /** What the start-up line says about Redis (a URL without its password, or the cluster nodes). */
  redisLabel: string;
  /** --tls-* and --users as given, while parsing; parseCli moves them into `server` (tls, usersFile). */
  security?: SecurityFlags;
}

const SETTINGS: CliSetting<CliConfig>[] = [
  { flag: "--host", env: ENV.host, arg: "HOST", help: `address to listen on (default ${DEFAULTS.host})`, set: (o, v) => (o.host = v.text()) },
  {
    flag: "--port", env: ENV.tcpPort, deprecatedEnv: DEPRECATED_ENV.tcpPort, arg: "PORT",
    help: `port to listen on (default ${DEFAULTS.port}; 0: any free port)`, set: (o, v) => (o.port = v.port()),
  },
  {
    flag: "--redis", env: ENV.redis, arg: "URL", help: `the Redis to use (default ${DEFAULTS.redis})`,
    set: (o, v) => {
      o.server.redis = v.text();
      o.redisLabel = redactUrl(v.raw);
    },
  },
  {
    flag: "--cluster", env: "TINYQS_CLUSTER_NODES", arg: "H:P,H:P", help: "use a Redis Cluster (some of its nodes) instead of --redis",
    set: (o, v) => {
      const nodes = v.text().split(",").map((s) => s.trim()).filter(Boolean);
      if (nodes.length === 0) throw new Error("--cluster needs host:port[,host:port…]");
      o.server.redis = { cluster: nodes };
      o.redisLabel = `cluster ${nodes.join(",")}`;
    },
  },
  {
    // The engine's own range (new TinyQS({ timeoutMs })).
    flag: "--redis-timeout-ms", env: ENV.redisTimeoutMs, arg: "MS",
    help: `how long the engine waits for Redis before answering UNAVAILABLE,\n1-600000 (default ${CORE_DEFAULTS.redisTimeoutMs}; keep it below the clients' timeoutMs, default ${CORE_DEFAULTS.clientTimeoutMs})`, set: (o, v) => (o.server.redisTimeoutMs = v.integer(1, 600_000)),
  },
  allowEvictionSetting((o, allow) => (o.server.allowEviction = allow)),
  ...durabilitySettings<CliConfig>((o) => (o.server.durability ??= { replicas: 0 })),
  { flag: "--prefix", env: ENV.prefix, arg: "P", help: "first part of every Redis key (default tinyqs)", set: (o, v) => (o.server.prefix = v.text()) },
  {
    flag: "--password", env: ENV.password, arg: "P",
    help: "require AUTH P first (prefer the variable: flags show in ps)", set: (o, v) => (o.server.password = v.text()),
  },
  ...securitySettings<CliConfig>((o) => (o.security ??= {})),
  {
    flag: "--max-message-bytes", env: ENV.maxMessageBytes, arg: "N",
    help: `largest argument/body read (default ${DEFAULTS.maxMessageBytes})`, set: (o, v) => (o.server.maxMessageBytes = v.integer()),
  },
  { flag: "--max-args", env: "TINYQS_MAX_ARGS", arg: "N", help: `most arguments per command (default ${DEFAULTS.maxArgs})`, set: (o, v) => (o.server.maxArgs = v.integer()) },
  {
    flag: "--max-command-bytes", env: "TINYQS_MAX_COMMAND_BYTES", arg: "N",
    help: `most bytes of one command's arguments together (default ${DEFAULTS.maxCommandBytes})`, set: (o, v) => (o.server.maxCommandBytes = v.integer()),
  },
  {
    flag: "--max-inline-bytes", env: "TINYQS_MAX_INLINE_BYTES", arg: "N",
    help: `longest inline command line (default ${DEFAULTS.maxInlineBytes})`, set: (o, v) => (o.server.maxInlineBytes = v.integer()),
  },
  {
    flag: "--max-connections", env: "TINYQS_MAX_CONNECTIONS", arg: "N",
    help: `most open connections (default ${DEFAULTS.maxConnections})`, set: (o, v) => (o.server.maxConnections = v.integer()),
  },
  {
    flag: "--idle-timeout", env: "TINYQS_IDLE_TIMEOUT_MS", arg: "MS",
    help: "close connections idle this long (default 0: never)", set: (o, v) => (o.server.idleTimeoutMs = v.integer()),
  },
  // --max-buffered-bytes, --slow-reader-timeout-ms, --auth-timeout-ms, --max-pending-auth,
  // --max-connections-per-address: the same in tinyqs-http (core's cli/bounds.ts).
  ...boundSettings<CliConfig>((o) => o.server, "AUTH"),
];

export const CLI: CliSpec<CliConfig> = {
  name: "tinyqs-tcp",
  usage: "tinyqs-tcp [options]",
  intro: [
    "Serves tinyqs queues on a TCP port in the Redis protocol (RESP2, and RESP3 after HELLO 3): redis-cli and any Redis client",
    "are tinyqs clients. Commands: docs/protocol.md. Stops cleanly on SIGTERM / SIGINT. SIGHUP re-reads the TLS",
    "files and the users file (open connections stay; a removed user's are cut). docs/security.md: TLS, users.",
    "`tinyqs-tcp hash-password` reads a password on stdin and prints its hash for the --users file.",
  ],
  version: VERSION,
  settings: SETTINGS,
  defaults: () => ({ host: DEFAULTS.host, port: DEFAULTS.port, server: {}, redisLabel: DEFAULTS.redis }),
  // The words tinyqs-tcp has always used (its tests read them); the shape of a value is told
  // before its range.
  wording: {
    unknownOption: (arg) => `unknown option ${arg}`,
    badPort: (name, raw) =>
      /^\d+$/.test(raw) ? `${name} must be 0-65535, got ${raw}` : `${name} needs a non-negative integer, got ${JSON.stringify(raw)}`,
  },
};

export const USAGE = usage(CLI);

export type CliRequest = KitRequest<CliConfig>;

/** Reads argv (without node and the script) and the environment. Throws Error with a message for the user. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv, warn?: (line: string) => void): CliRequest {
  const request = parseCommandLine(CLI, argv, env, warn);
  if (request.kind === "run") {
    const { server, security = {} } = request.config;
    delete request.config.security;
    const tls = tlsFilesOf(security);
    if (tls) server.tls = tls;
    if (security.usersFile !== undefined) server.usersFile = security.usersFile;
  }
  return request;
}
