// `pnpm start`: tinyqs as a product. One process, one engine, two ways in: the TCP server (Redis
// protocol, 7379) and the HTTP server (REST + WebSocket, 7380). Redis is the one named by --redis /
// TINYQS_REDIS_URL, or else an embedded redis-server (embedded-redis.ts) with its append-only file in
// ./.tinyqs-data. SIGINT (Ctrl-C), SIGTERM or SIGHUP stop it in order — servers (waiting receives
// answer "nothing", requests in progress finish), engine, then Redis with SHUTDOWN — and exit 0.
// A second signal stops at once (Redis still gets SIGTERM, on which it flushes its AOF too).
//
// Run by the root package.json ("start": build, then `node --import tsx scripts/start/main.ts`). The
// packages are loaded from their built dist/ (what users run); the flag kit, which loads nothing else,
// from core's source, so that --help and a bad flag answer even before a build.
// It loads the packages' built dist/ by path, all three from the same files, so the servers and the
// engine share one @tinyqs/core (and its TinyQSError class).
import { type EmbeddedRedis, INSTALL_HINT, MissingRedisServer, startEmbeddedRedis } from "./embedded-redis.js";
import { onStopSignals, readCommandLine, warnOnStderr } from "../../packages/core/src/cli/index.js";
import { CLI, parseStartArgs, redactUrl, type StartConfig } from "./options.js";

type Core = typeof import("../../packages/core/dist/index.js");
type Tcp = typeof import("../../packages/tcp-server/dist/index.js");
type Http = typeof import("../../packages/http-server/dist/index.js");

const say = (line: string) => process.stdout.write(line + "\n");
const warn = (line: string) => process.stderr.write(line + "\n");

async function loadPackages(): Promise<{ core: Core; tcp: Tcp; http: Http }> {
  try {
    const [core, tcp, http] = await Promise.all([
      import("../../packages/core/dist/index.js"),
      import("../../packages/tcp-server/dist/index.js"),
      import("../../packages/http-server/dist/index.js"),
    ]);
    return { core, tcp, http };
  } catch (e) {
    throw new Error(`cannot load the built packages (run \`pnpm build\` first; \`pnpm start\` does): ${(e as Error).message}`);
  }
}

/** 1. Redis: the one named, or the embedded one; null if that could not start (said on stderr). */
async function startRedis(config: StartConfig): Promise<{ redisUrl: string; embedded: EmbeddedRedis | null } | null> {
  if (config.redis !== undefined) return { redisUrl: config.redis, embedded: null };
  try {
    const embedded = await startEmbeddedRedis(config.dataDir, say, warn);
    return { redisUrl: embedded.url, embedded };
  } catch (e) {
    warn(e instanceof MissingRedisServer ? INSTALL_HINT : `tinyqs: ${(e as Error).message}`);
    return null;
  }
}

type Step = readonly [what: string, run: () => Promise<unknown>];

/** The stop, in order: both servers, the engine, then the embedded Redis. Once only; the exit code. */
function stopInOrder(parts: { servers: readonly Step[]; engine: Step; embedded: EmbeddedRedis | null }) {
  let stopping: Promise<number> | null = null;
  return (why: string): Promise<number> =>
    (stopping ??= (async () => {
      say(`tinyqs: ${why}, shutting down`);
      let code = 0;
      const step = async ([what, run]: Step) => {
        try {
          await run();
        } catch (e) {
          warn(`tinyqs: ${what}: ${(e as Error).message}`);
          code = 1;
        }
      };
      await Promise.all(parts.servers.map(step));
      await step(parts.engine);
      const { embedded } = parts;
      if (embedded) await step(["stopping redis-server", () => embedded.stop()]);
      say(code === 0 ? "tinyqs: stopped" : "tinyqs: stopped, with errors");
      return code;
    })());
}

/** What is where, once both servers listen. */
function announce(config: StartConfig, redisUrl: string, embedded: EmbeddedRedis | null, tcpAt: { host: string; port: number }, httpAt: { url: string }) {
  if (embedded) {
    say(`tinyqs: redis  embedded redis-server ${embedded.version} (pid ${embedded.pid}) on 127.0.0.1:${embedded.port}, append-only file (appendfsync always) in ${embedded.dataDir}`);
    // An engine embedded in another process works on the same queues when given this Redis.
    say(`tinyqs: embed  new TinyQS({ redis: "${embedded.url}" }) works on these queues too (examples/embedded finds it by itself)`);
  } else {
    say(`tinyqs: redis  ${redactUrl(redisUrl)}`);
  }
  const tcpHost = tcpAt.host.includes(":") ? `[${tcpAt.host}]` : tcpAt.host;
  say(`tinyqs: tcp    ${tcpHost}:${tcpAt.port} (Redis protocol)${config.password ? ", AUTH required" : ""}   try: redis-cli -p ${tcpAt.port} SEND jobs hello`);
  say(`tinyqs: http   ${httpAt.url} (REST + WebSocket)${config.token ? ", bearer token required" : ""}   try: curl -X POST --data hello ${httpAt.url}/v1/queues/jobs/messages`);
  say("tinyqs: ready; Ctrl-C stops it");
}

/** `listen()`, or null after saying why it could not (on stderr). */
async function listen<T>(what: string, config: StartConfig, port: number, fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (e) {
    warn(`tinyqs: cannot listen on ${config.host}:${port} (${what}): ${(e as Error).message}`);
    return null;
  }
}

async function main(): Promise<number> {
  const read = readCommandLine(CLI, () => parseStartArgs(process.argv.slice(2), process.env, process.cwd(), warnOnStderr(CLI.name)));
  if ("exitCode" in read) return read.exitCode;
  const { config } = read;

  // Signals: during start-up they are noted and acted on at the next step; once up, they stop it.
  // A second one exits at once (130); the exit hook below still sends the embedded Redis SIGTERM.
  let interrupted: string | null = null;
  let onSignal = (signal: string) => void (interrupted = signal);
  onStopSignals({ name: CLI.name, signals: ["SIGINT", "SIGTERM", "SIGHUP"], againExitCode: 130 }, (signal) => onSignal(signal));

  // 1. Redis (before loading the packages: a missing redis-server or a busy data dir is said at once)
  const redis = await startRedis(config);
  if (!redis) return 1;
  const { redisUrl, embedded } = redis;
  // Whatever happens from here on, the embedded Redis does not outlive us.
  process.on("exit", () => embedded?.stopNow());

  let packages: Awaited<ReturnType<typeof loadPackages>>;
  try {
    packages = await loadPackages();
  } catch (e) {
    warn(`tinyqs: ${(e as Error).message}`);
    await embedded?.stop();
    return 1;
  }
  const { core, tcp, http } = packages;

  // 2. One engine, two servers on it (given an engine, a server's close() leaves it open).
  const engine = new core.TinyQS({ redis: redisUrl, timeoutMs: config.redisTimeoutMs, allowEviction: config.allowEviction, durability: config.durability });
  const tcpServer = tcp.createTcpServer({ engine, password: config.password });
  let httpServer: ReturnType<Http["createHttpServer"]>;
  try {
    httpServer = http.createHttpServer({ engine, token: config.token, corsOrigins: config.corsOrigins, allowedHosts: config.allowedHosts });
  } catch (e) {
    // A bad --cors-origin or --allowed-host: the HTTP server checks it, before anything listens.
    warn(`tinyqs: ${(e as Error).message}`);
    await stopInOrder({ servers: [["closing the TCP server", () => tcpServer.close()]], engine: ["closing the engine", () => engine.close()], embedded })("a bad --cors-origin or --allowed-host");
    return 2;
  }
  const shutdown = stopInOrder({
    servers: [["closing the TCP server", () => tcpServer.close()], ["closing the HTTP server", () => httpServer.close()]],
    engine: ["closing the engine", () => engine.close()],
    embedded,
  });
  if (interrupted) return shutdown(interrupted);

  // 3. Check Redis (an external one may be down: then say so, and keep serving — the engine
  // reconnects by itself and answers UNAVAILABLE meanwhile).
  try {
    await engine.queues();
  } catch (e) {
    if ((e as { code?: string }).code === "MISCONFIGURED") {
      // A Redis that would lose messages (an evicting maxmemory-policy) stops the start, saying why.
      warn(`tinyqs: ${(e as Error).message}`);
      await shutdown("a Redis that would lose messages");
      return 1;
    }
    warn(`tinyqs: warning: Redis at ${redactUrl(redisUrl)} does not answer yet (${(e as Error).message}); serving anyway, requests fail with UNAVAILABLE until it does`);
  }
  if (interrupted) return shutdown(interrupted);

  // 4. Listen
  const tcpAt = await listen("TCP", config, config.tcpPort, () => tcpServer.listen(config.tcpPort, config.host));
  const httpAt = tcpAt && (await listen("HTTP", config, config.httpPort, () => httpServer.listen(config.httpPort, config.host)));
  if (!tcpAt || !httpAt) {
    await shutdown("start failed");
    return 1;
  }
  if (interrupted) return shutdown(interrupted);

  announce(config, redisUrl, embedded, tcpAt, httpAt);
  return new Promise<number>((resolve) => (onSignal = (signal) => void shutdown(signal).then(resolve)));
}

let code: number;
try {
  code = await main();
} catch (e) {
  warn(`tinyqs: ${(e as Error).stack ?? String(e)}`);
  code = 1;
}
// Everything of ours is closed by now; exit explicitly so that no stray handle keeps the process up.
process.exit(code);
