// `pnpm start`: tinyqs as a product. One process, one engine, three ways in: the TCP server (Redis
// protocol, 7379), the HTTP server (REST + WebSocket, 7380) and Amazon SQS's API (9324; --no-sqs
// turns it off). Redis is the one named by --redis / TINYQS_REDIS_URL, or else an embedded
// redis-server (embedded-redis.ts) with its append-only file in ./.tinyqs-data, restarted when it
// dies (and given up on, exit 1, after 5 crashes in a minute: redis-supervisor.ts). SIGINT (Ctrl-C),
// SIGTERM or SIGHUP stop it in order — servers (waiting receives
// answer "nothing", requests in progress finish), engine, then Redis with SHUTDOWN — and exit 0.
// A second signal stops at once (Redis still gets SIGTERM, on which it flushes its AOF too).
//
// Run by the root package.json ("start": build, then `node --import tsx scripts/start/main.ts`). The
// packages are loaded from their built dist/ (what users run); the flag kit, which loads nothing else,
// from core's source, so that --help and a bad flag answer even before a build.
// It loads the packages' built dist/ by path, all three from the same files, so the servers and the
// engine share one @tinyqs/core (and its TinyQSError class).
import { type EmbeddedRedis, INSTALL_HINT, MissingRedisServer, startEmbeddedRedis } from "./embedded-redis.js";
import { onReloadSignal, onStopSignals, readCommandLine, tlsFilesOf, warnOnStderr } from "../../packages/core/src/cli/index.js";
import { CLI, parseStartArgs, redactUrl, type StartConfig } from "./options.js";
import { sqsGuardRefusal } from "../../packages/http-server/src/sqs/cli-settings.js";

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
function announce(config: StartConfig, redisUrl: string, embedded: EmbeddedRedis | null, tcpAt: { host: string; port: number }, httpAt: { url: string }, sqsAt: { url: string } | null) {
  if (embedded) {
    say(`tinyqs: redis  embedded redis-server ${embedded.version} (pid ${embedded.pid}) on 127.0.0.1:${embedded.port}, append-only file (appendfsync always) in ${embedded.dataDir}`);
    // An engine embedded in another process works on the same queues when given this Redis.
    say(`tinyqs: embed  new TinyQS({ redis: "${embedded.url}" }) works on these queues too (examples/embedded finds it by itself)`);
  } else {
    say(`tinyqs: redis  ${redactUrl(redisUrl)}`);
  }
  const tcpHost = tcpAt.host.includes(":") ? `[${tcpAt.host}]` : tcpAt.host;
  const security = config.security ?? {};
  const tls = security.tlsCert !== undefined;
  const auth = config.password || security.usersFile ? ", AUTH required" : "";
  const cli = `redis-cli -p ${tcpAt.port}${tls ? " --tls --cacert CA.pem" : ""}`;
  say(`tinyqs: tcp    ${tcpHost}:${tcpAt.port} (Redis protocol${tls ? " over TLS" : ""})${auth}   try: ${cli} SEND jobs hello`);
  const httpAuth = security.usersFile ? ", credentials required" : config.token ? ", bearer token required" : "";
  say(`tinyqs: http   ${httpAt.url} (REST + WebSocket)${httpAuth}   try: curl${tls ? " --cacert CA.pem" : ""} -X POST --data hello ${httpAt.url}/v1/queues/jobs/messages`);
  if (config.ui !== "off") say(`tinyqs: ui     ${httpAt.url}/ui/ (the dashboard${config.ui === "read-only" ? ", read-only" : ""})`);
  if (sqsAt) {
    const sqsAuth = config.sqs.credentials ? "Signature V4 required" : "ANY credentials accepted (--sqs-credentials to require some)";
    say(`tinyqs: sqs    ${sqsAt.url} (Amazon SQS API, plain HTTP), ${sqsAuth}   try: aws --endpoint-url ${sqsAt.url} sqs list-queues`);
  }
  if (security.usersFile) say(`tinyqs: users  from ${security.usersFile}; SIGHUP re-reads it${tls ? " and the TLS files" : ""}`);
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
  const security = config.security ?? {};

  // Signals: during start-up they are noted and acted on at the next step; once up, they stop it.
  // A second one exits at once (130); the exit hook below still sends the embedded Redis SIGTERM.
  let interrupted: string | null = null;
  let onSignal = (signal: string) => void (interrupted = signal);
  // SIGHUP re-reads the TLS files and the users file when there are any; otherwise it stops, as it
  // always has (a closed terminal hangs up).
  const reloads = security.tlsCert !== undefined || security.usersFile !== undefined;
  const stopSignals: NodeJS.Signals[] = reloads ? ["SIGINT", "SIGTERM"] : ["SIGINT", "SIGTERM", "SIGHUP"];
  onStopSignals({ name: CLI.name, signals: stopSignals, againExitCode: 130 }, (signal) => onSignal(signal));

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
  const guard = { tls: tlsFilesOf(security), usersFile: security.usersFile, log: (line: string) => warn(`tinyqs: ${line}`) };
  let tcpServer: ReturnType<Tcp["createTcpServer"]> | undefined;
  let httpServer: ReturnType<Http["createHttpServer"]>;
  let sqsServer: ReturnType<Http["createSqsServer"]> | null;
  let httpMade = false;
  try {
    // One metrics registry for the process: GET /metrics counts the TCP server's operations beside
    // REST's, the WebSocket's and the dashboard's.
    const metrics = new http.Metrics(engine);
    tcpServer = tcp.createTcpServer({ engine: metrics.instrument(engine, "tcp"), password: config.password, ...guard });
    httpServer = http.createHttpServer({ engine, metrics, ui: config.ui, token: config.token, corsOrigins: config.corsOrigins, allowedHosts: config.allowedHosts, ...guard });
    httpMade = true;
    // With --users or TLS, an SQS port that would take any request stays off (said once).
    const sqsRefused = sqsGuardRefusal(config.sqs, security);
    if (sqsRefused) {
      warn(`tinyqs: the SQS port is off: ${sqsRefused} (or --no-sqs to leave it off quietly)`);
      config.sqs.port = null;
    }
    const { port: sqsPort, ...sqsOptions } = config.sqs;
    sqsServer = sqsPort === null ? null : http.createSqsServer({ engine, ...sqsOptions });
  } catch (e) {
    // A bad --cors-origin, --allowed-host or --sqs-*, a TLS file or users file that cannot be read:
    // the servers check them before anything listens.
    warn(`tinyqs: ${(e as Error).message}`);
    // What was made before the bad option: the TCP server, and the HTTP server if the SQS one failed.
    const made: Step[] = [];
    const tcpMade = tcpServer;
    if (tcpMade) made.push(["closing the TCP server", () => tcpMade.close()]);
    if (httpMade) made.push(["closing the HTTP server", () => httpServer.close()]);
    await stopInOrder({ servers: made, engine: ["closing the engine", () => engine.close()], embedded })("a bad option");
    return 2;
  }
  const servers = { tcp: tcpServer, http: httpServer };
  if (reloads) onReloadSignal(CLI.name, () => [...new Set([...servers.tcp.reload(), ...servers.http.reload()])]);
  const shutdown = stopInOrder({
    servers: [
      ["closing the TCP server", () => servers.tcp.close()],
      ["closing the HTTP server", () => httpServer.close()],
      ...(sqsServer ? [["closing the SQS server", () => sqsServer.close()] as const] : []),
    ],
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
  const tcpAt = await listen("TCP", config, config.tcpPort, () => servers.tcp.listen(config.tcpPort, config.host));
  const httpAt = tcpAt && (await listen("HTTP", config, config.httpPort, () => httpServer.listen(config.httpPort, config.host)));
  const sqsPort = config.sqs.port;
  const sqsAt = httpAt && sqsServer && sqsPort !== null ? await listen("SQS", config, sqsPort, () => sqsServer.listen(sqsPort, config.host)) : null;
  if (!tcpAt || !httpAt || (sqsServer && !sqsAt)) {
    await shutdown("start failed");
    return 1;
  }
  if (interrupted) return shutdown(interrupted);

  announce(config, redisUrl, embedded, tcpAt, httpAt, sqsAt);
  return new Promise<number>((resolve) => {
    onSignal = (signal) => void shutdown(signal).then(resolve);
    // The embedded Redis crashed again and again (redis-supervisor.ts): say why, stop, exit 1.
    void embedded?.failed.then((why) => {
      warn(why);
      void shutdown("the embedded redis-server keeps crashing").then(() => resolve(1));
    });
  });
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
