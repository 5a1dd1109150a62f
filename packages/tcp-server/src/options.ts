// The flags and environment variables of `tinyqs-tcp`, in one table that also writes --help.
// A flag beats its environment variable; both beat the default.
import { DEFAULTS } from "./defaults.js";
import type { TcpServerOptions } from "./server.js";

interface Setting {
  flag: string;
  env: string;
  arg: string;
  help: string;
  kind: "string" | "int";
  apply(o: CliConfig, value: string | number): void;
}

export interface CliConfig {
  host: string;
  port: number;
  server: TcpServerOptions;
  /** What the start-up line says about Redis (a URL without its password, or the cluster nodes). */
  redisLabel: string;
}

const SETTINGS: Setting[] = [
  { flag: "--host", env: "TINYQS_HOST", arg: "HOST", kind: "string", help: `address to listen on (default ${DEFAULTS.host})`, apply: (o, v) => (o.host = String(v)) },
  { flag: "--port", env: "TINYQS_PORT", arg: "PORT", kind: "int", help: `port to listen on (default ${DEFAULTS.port}; 0 = any free port)`, apply: (o, v) => (o.port = Number(v)) },
  {
    flag: "--redis", env: "TINYQS_REDIS_URL", arg: "URL", kind: "string", help: `the Redis to use (default ${DEFAULTS.redis})`,
    apply: (o, v) => {
      o.server.redis = String(v);
      o.redisLabel = redactUrl(String(v));
    },
  },
  {
    flag: "--cluster", env: "TINYQS_CLUSTER_NODES", arg: "H:P,H:P", kind: "string", help: "use a Redis Cluster (some of its nodes) instead of --redis",
    apply: (o, v) => {
      const nodes = String(v).split(",").map((s) => s.trim()).filter(Boolean);
      if (nodes.length === 0) throw new Error("--cluster needs host:port[,host:port…]");
      o.server.redis = { cluster: nodes };
      o.redisLabel = `cluster ${nodes.join(",")}`;
    },
  },
  { flag: "--prefix", env: "TINYQS_PREFIX", arg: "P", kind: "string", help: "first part of every Redis key (default tinyqs)", apply: (o, v) => (o.server.prefix = String(v)) },
  {
    flag: "--password", env: "TINYQS_PASSWORD", arg: "P", kind: "string",
    help: "require AUTH P first (prefer the variable: flags show in ps)", apply: (o, v) => (o.server.password = String(v)),
  },
  {
    flag: "--max-message-bytes", env: "TINYQS_MAX_MESSAGE_BYTES", arg: "N", kind: "int",
    help: `largest argument/body read (default ${DEFAULTS.maxMessageBytes})`, apply: (o, v) => (o.server.maxMessageBytes = Number(v)),
  },
  { flag: "--max-args", env: "TINYQS_MAX_ARGS", arg: "N", kind: "int", help: `most arguments per command (default ${DEFAULTS.maxArgs})`, apply: (o, v) => (o.server.maxArgs = Number(v)) },
  {
    flag: "--max-command-bytes", env: "TINYQS_MAX_COMMAND_BYTES", arg: "N", kind: "int",
    help: `most bytes of one command's arguments together (default ${DEFAULTS.maxCommandBytes})`, apply: (o, v) => (o.server.maxCommandBytes = Number(v)),
  },
  {
    flag: "--max-inline-bytes", env: "TINYQS_MAX_INLINE_BYTES", arg: "N", kind: "int",
    help: `longest inline command line (default ${DEFAULTS.maxInlineBytes})`, apply: (o, v) => (o.server.maxInlineBytes = Number(v)),
  },
  {
    flag: "--max-connections", env: "TINYQS_MAX_CONNECTIONS", arg: "N", kind: "int",
    help: `most open connections (default ${DEFAULTS.maxConnections})`, apply: (o, v) => (o.server.maxConnections = Number(v)),
  },
  {
    flag: "--idle-timeout", env: "TINYQS_IDLE_TIMEOUT_MS", arg: "MS", kind: "int",
    help: "close connections idle this long (default 0: never)", apply: (o, v) => (o.server.idleTimeoutMs = Number(v)),
  },
];

export const USAGE = [
  "usage: tinyqs-tcp [options]",
  "",
  "Serves tinyqs queues on a TCP port in the Redis protocol (RESP2): redis-cli and any Redis client",
  "are tinyqs clients. Commands: docs/protocol.md. Stops cleanly on SIGTERM / SIGINT.",
  "",
  ...SETTINGS.map((s) => `  ${`${s.flag} ${s.arg}`.padEnd(28)} ${s.help}\n  ${"".padEnd(28)} env ${s.env}`),
  `  ${"-h, --help".padEnd(28)} this text`,
  `  ${"-v, --version".padEnd(28)} the version`,
].join("\n");

export type CliRequest = { kind: "help" } | { kind: "version" } | { kind: "run"; config: CliConfig };

function parseValue(s: Setting, raw: string, from: string): string | number {
  if (s.kind === "string") {
    if (raw === "") throw new Error(`${from} needs a value`);
    return raw;
  }
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new Error(`${from} needs a non-negative integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** Reads argv (without node and the script) and the environment. Throws Error with a message for the user. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliRequest {
  const config: CliConfig = { host: DEFAULTS.host, port: DEFAULTS.port, server: {}, redisLabel: DEFAULTS.redis };
  for (const s of SETTINGS) {
    const v = env[s.env];
    if (v !== undefined && v !== "") s.apply(config, parseValue(s, v, s.env));
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-h" || a === "--help") return { kind: "help" };
    if (a === "-v" || a === "--version") return { kind: "version" };
    const eq = a.indexOf("=");
    const flag = a.startsWith("--") && eq > 0 ? a.slice(0, eq) : a;
    const s = SETTINGS.find((x) => x.flag === flag);
    if (!s) throw new Error(`unknown option ${a}`);
    const raw = eq > 0 && flag !== a ? a.slice(eq + 1) : argv[++i];
    if (raw === undefined) throw new Error(`${flag} needs a value`);
    s.apply(config, parseValue(s, raw, flag));
  }
  if (config.port > 65535) throw new Error(`--port must be 0-65535, got ${config.port}`);
  return { kind: "run", config };
}

/** A Redis URL fit to print: its password replaced by ***. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString().replace(/\/$/, "");
  } catch {
    return url;
  }
}
