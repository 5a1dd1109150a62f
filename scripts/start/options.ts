// The flags and environment variables of `pnpm start`: one table, from which @tinyqs/core/cli
// parses the command line (a flag beats its variable, both beat the default) and writes --help.
// Loaded from core's built dist/, as main.ts loads the packages.
import path from "node:path";
import {
  DEFAULTS, ENV, allowEvictionSetting, durabilitySettings, parseCommandLine, redactUrl, securitySettings, tlsFilesOf, type CliRequest, type CliSpec,
  type SecurityFlags,
} from "../../packages/core/src/cli/index.js";
import { sqsSettings, type SqsCliConfig } from "../../packages/http-server/src/sqs/cli-settings.js";
import { SQS_PORT_DEFAULTS } from "../../packages/http-server/src/sqs/port-defaults.js";
import { uiSettings } from "../../packages/http-server/src/ui/cli-settings.js";

export { redactUrl };

export interface StartConfig {
  host: string;
  tcpPort: number;
  httpPort: number;
  /** The Redis to use; undefined: start the embedded one. */
  redis: string | undefined;
  /** The engine's Redis timeout (new TinyQS({ timeoutMs })); undefined: the engine's default. */
  redisTimeoutMs: number | undefined;
  /** Serve a Redis whose maxmemory-policy evicts keys (--allow-eviction). */
  allowEviction: boolean;
  /** Replica-acknowledged writes (--durability-replicas, --durability-timeout-ms); undefined: none. */
  durability: { replicas: number; timeoutMs?: number } | undefined;
  /** The embedded Redis's data directory (absolute once parsed). */
  dataDir: string;
  password: string | undefined;
  token: string | undefined;
  /** --cors-origin as given (comma-separated); the HTTP server checks each origin. */
  corsOrigins: string | undefined;
  /** --allowed-host as given (comma-separated); the HTTP server checks each name. */
  allowedHosts: string | undefined;
  /** The dashboard at /ui/ of the HTTP port (--ui, --no-ui). */
  ui: "on" | "read-only" | "off";
  /** The SQS port (on by default; --no-sqs: port null). */
  sqs: SqsCliConfig;
  /** --tls-* and --users as given (both servers use them; absent when none is); checked by parseStartArgs. */
  security?: SecurityFlags;
}

export const CLI: CliSpec<StartConfig> = {
  name: "tinyqs",
  usage: "pnpm start [-- options]        (or: node --import tsx scripts/start/main.ts [options])",
  intro: [
    "Starts tinyqs: the TCP server (Redis protocol), the HTTP server (REST + WebSocket) and Amazon",
    "SQS's API (docs/sqs.md) in one process, on one engine. Without --redis it runs its own",
    "redis-server, with an append-only file (appendfsync always) in the data directory, restarted on",
    "the same port if it dies (tinyqs exits 1 after 5 crashes in a minute; its log is redis.log",
    "there). Ctrl-C or SIGTERM stops everything cleanly; SIGHUP re-reads the TLS files and the users",
    "file when there are any (else it stops, as a hang-up does).",
  ],
  settings: [
    { flag: "--host", env: ENV.host, arg: "HOST", help: `address both servers listen on (default ${DEFAULTS.host})`, set: (c, v) => (c.host = v.text()) },
    { flag: "--tcp-port", env: ENV.tcpPort, arg: "PORT", help: `TCP (RESP) port (default ${DEFAULTS.tcpPort}; 0: any free port)`, set: (c, v) => (c.tcpPort = v.port()) },
    {
      flag: "--http-port", env: ENV.httpPort, arg: "PORT",
      help: `HTTP/WebSocket port (default ${DEFAULTS.httpPort}; 0: any free port)`, set: (c, v) => (c.httpPort = v.port()),
    },
    {
      flag: "--redis", env: ENV.redis, arg: "URL",
      help: "use this Redis (redis://[[user]:password@]host:port[/db], rediss:// for TLS; its CA:\nNODE_EXTRA_CA_CERTS) instead of the embedded one", set: (c, v) => (c.redis = v.text()),
    },
    {
      // The engine's own range (new TinyQS({ timeoutMs })).
      flag: "--redis-timeout-ms", env: ENV.redisTimeoutMs, arg: "MS",
      help: `how long the engine waits for Redis before answering UNAVAILABLE,\n1-600000 (default ${DEFAULTS.redisTimeoutMs}; keep it below the clients' timeoutMs, default ${DEFAULTS.clientTimeoutMs})`, set: (c, v) => (c.redisTimeoutMs = v.integer(1, 600_000)),
    },
    allowEvictionSetting((c, allow) => (c.allowEviction = allow)),
    ...durabilitySettings<StartConfig>((c) => (c.durability ??= { replicas: 0 })),
    {
      flag: "--data-dir", env: "TINYQS_DATA_DIR", arg: "DIR",
      help: "where the embedded Redis keeps its append-only file (default ./.tinyqs-data)", set: (c, v) => (c.dataDir = v.text()),
    },
    {
      // An empty --password (a flag can be empty, a variable cannot) means none.
      flag: "--password", env: ENV.password, arg: "P",
      help: "TCP clients must AUTH P first (prefer the variable: flags show in ps)", set: (c, v) => (c.password = v.raw || undefined),
    },
    {
      flag: "--token", env: ENV.token, arg: "T",
      help: "HTTP clients must send Authorization: Bearer T (prefer the variable)", set: (c, v) => (c.token = v.text()),
    },
    {
      flag: "--cors-origin", env: "TINYQS_CORS_ORIGIN", arg: "ORIGIN[,ORIGIN…]",
      help: "web pages of these origins (or * for any) may use the HTTP server from a browser;\nother origins are refused (403)",
      set: (c, v) => (c.corsOrigins = v.text()),
    },
    {
      flag: "--allowed-host", env: "TINYQS_ALLOWED_HOSTS", arg: "NAME[,NAME…]",
      help: "host names the HTTP server answers to besides localhost and IP addresses;\nrequests for other names are refused (403), against DNS rebinding",
      set: (c, v) => (c.allowedHosts = v.text()),
    },
    ...uiSettings<StartConfig>((c, mode) => (c.ui = mode)),
    ...sqsSettings<StartConfig>(ENV, (c) => c.sqs, true),
    ...securitySettings<StartConfig>((c) => (c.security ??= {}), "both ports (TCP and HTTPS)"),
  ],
  defaults: () => ({
    host: DEFAULTS.host,
    tcpPort: DEFAULTS.tcpPort,
    httpPort: DEFAULTS.httpPort,
    redis: undefined,
    redisTimeoutMs: undefined,
    allowEviction: false,
    durability: undefined,
    dataDir: ".tinyqs-data",
    password: undefined,
    token: undefined,
    corsOrigins: undefined,
    allowedHosts: undefined,
    ui: "on",
    sqs: { port: SQS_PORT_DEFAULTS.port },
  }),
  // As `pnpm start` has always said it (its tests read these words).
  repeats: "refuse",
  envErrors: "variable: flag",
};

export type StartRequest = CliRequest<StartConfig>;

/** argv (without node and the script) and the environment; `cwd`: what a relative --data-dir is relative to. */
export function parseStartArgs(argv: string[], env: NodeJS.ProcessEnv, cwd = process.cwd(), warn?: (line: string) => void): StartRequest {
  // `pnpm start -- --flag` passes the separator along.
  const request = parseCommandLine(CLI, argv.filter((a) => a !== "--"), env, warn);
  if (request.kind === "run") {
    request.config.dataDir = path.resolve(cwd, request.config.dataDir);
    tlsFilesOf(request.config.security ?? {}); // a certificate without its key (and the like) is refused here
  }
  return request;
}
