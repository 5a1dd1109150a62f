// The flags and environment variables of `pnpm start`, in one table that also writes --help.
// A flag beats its environment variable; both beat the default.
import path from "node:path";

export interface StartConfig {
  host: string;
  tcpPort: number;
  httpPort: number;
  /** The Redis to use; undefined: start the embedded one. */
  redis: string | undefined;
  /** The embedded Redis's data directory (absolute). */
  dataDir: string;
  password: string | undefined;
  token: string | undefined;
}

interface Setting {
  flag: string;
  env: string;
  arg: string;
  help: string;
  /** `cwd`: what a relative path is relative to. */
  apply(c: StartConfig, value: string, cwd: string): void;
}

function port(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new Error(`${flag} must be a port number (0-65535; 0: any free port), got ${JSON.stringify(value)}`);
  return Number(value);
}

const SETTINGS: Setting[] = [
  { flag: "--host", env: "TINYQS_HOST", arg: "HOST", help: "address both servers listen on (default 127.0.0.1)", apply: (c, v) => (c.host = v) },
  { flag: "--tcp-port", env: "TINYQS_TCP_PORT", arg: "PORT", help: "TCP (RESP) port (default 7379; 0: any free port)", apply: (c, v) => (c.tcpPort = port("--tcp-port", v)) },
  { flag: "--http-port", env: "TINYQS_HTTP_PORT", arg: "PORT", help: "HTTP/WebSocket port (default 7380; 0: any free port)", apply: (c, v) => (c.httpPort = port("--http-port", v)) },
  {
    flag: "--redis", env: "TINYQS_REDIS_URL", arg: "URL",
    help: "use this Redis (redis://[:password@]host:port[/db]) instead of the embedded one",
    apply: (c, v) => (c.redis = v),
  },
  {
    flag: "--data-dir", env: "TINYQS_DATA_DIR", arg: "DIR",
    help: "where the embedded Redis keeps its append-only file (default ./.tinyqs-data)",
    apply: (c, v, cwd) => (c.dataDir = path.resolve(cwd, v)),
  },
  {
    flag: "--password", env: "TINYQS_PASSWORD", arg: "P",
    help: "TCP clients must AUTH P first (prefer the variable: flags show in ps)", apply: (c, v) => (c.password = v),
  },
  {
    flag: "--token", env: "TINYQS_TOKEN", arg: "T",
    help: "HTTP clients must send Authorization: Bearer T (prefer the variable)", apply: (c, v) => (c.token = v),
  },
];

export const USAGE = [
  "usage: pnpm start [-- options]        (or: node --import tsx scripts/start/main.ts [options])",
  "",
  "Starts tinyqs: the TCP server (Redis protocol) and the HTTP server (REST + WebSocket) in one",
  "process, on one engine. Without --redis it runs its own redis-server, with an append-only file",
  "(appendfsync always) in the data directory. Ctrl-C or SIGTERM stops everything cleanly.",
  "",
  ...SETTINGS.map((s) => `  ${`${s.flag} ${s.arg}`.padEnd(18)} ${s.help}\n  ${"".padEnd(18)} env ${s.env}`),
  `  ${"-h, --help".padEnd(18)} this text`,
].join("\n");

export type StartRequest = { kind: "help" } | { kind: "run"; config: StartConfig };

export function parseStartArgs(argv: string[], env: NodeJS.ProcessEnv, cwd = process.cwd()): StartRequest {
  const config: StartConfig = {
    host: "127.0.0.1",
    tcpPort: 7379,
    httpPort: 7380,
    redis: undefined,
    dataDir: path.resolve(cwd, ".tinyqs-data"),
    password: undefined,
    token: undefined,
  };
  for (const s of SETTINGS) {
    const v = env[s.env];
    if (v !== undefined && v !== "") {
      try {
        s.apply(config, v, cwd);
      } catch (e) {
        throw new Error(`${s.env}: ${(e as Error).message}`);
      }
    }
  }
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") continue; // `pnpm start -- --flag` passes the separator along
    if (arg === "-h" || arg === "--help") return { kind: "help" };
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const s = SETTINGS.find((x) => x.flag === name);
    if (!s) throw new Error(`unknown option ${JSON.stringify(arg)}`);
    if (seen.has(name)) throw new Error(`${name} given twice`);
    seen.add(name);
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined) throw new Error(`${name} needs a value (${s.arg})`);
    s.apply(config, value, cwd);
  }
  if (config.password === "") config.password = undefined;
  if (config.token === "") throw new Error("--token must not be empty");
  return { kind: "run", config };
}

/** A Redis URL without its password, for printing. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}
