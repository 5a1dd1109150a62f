// The embedded Redis of `pnpm start`: a private redis-server child on a free loopback port, with an
// append-only file (appendfsync always) in the data directory, stopped with SHUTDOWN (which fsyncs
// the AOF) when tinyqs stops.
//
// The child runs in its own process group (detached), so a Ctrl-C in the terminal reaches tinyqs
// only: tinyqs closes its servers and engine first and stops Redis last, instead of Redis going away
// under requests still in flight. Because a detached child outlives a tinyqs that is SIGKILLed, the
// data directory holds a lock file, `tinyqs.lock` = {"pid", "redisPid", "redisPort"}: the next start
// refuses to run beside a live tinyqs on the same directory, and shuts down a Redis left behind by a
// dead one (after checking that it is that Redis: same pid, same dir) before starting its own.
// examples/embedded/redis-url.mjs reads the lock too, to find the Redis of a running tinyqs.
//
// The port is stable per data directory: the first start takes a free port and records it in
// `redis.port` beside the lock (kept when tinyqs stops, unlike the lock); later starts reuse it, so
// the URL printed once stays valid across restarts and an engine in another process given it
// reconnects by itself. Only when something else holds that port does Redis move to a new free
// port (said on stderr; the new one is recorded).
//
// Once up, it is supervised (redis-supervisor.ts): a child that dies is started again on the same
// port and directory, and after 5 crashes in a minute `failed` says why and tinyqs exits.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { RedisSupervisor, type Supervised } from "./redis-supervisor.js";

const execFileP = promisify(execFile);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** redis-server is not installed (or not on PATH). */
export class MissingRedisServer extends Error {}

export const INSTALL_HINT = [
  "tinyqs needs redis-server (Redis >= 7.0) for its embedded Redis, and none was found on PATH.",
  "Install it:",
  "  Debian/Ubuntu:  sudo apt-get install redis-server",
  "  macOS:          brew install redis",
  "  Fedora/RHEL:    sudo dnf install redis",
  "or point tinyqs at a Redis you run: pnpm start --redis redis://127.0.0.1:6379 (or TINYQS_REDIS_URL).",
].join("\n");

export interface EmbeddedRedis {
  url: string;
  port: number;
  /** The redis-server running now (a new one after each restart); null while it is down. */
  readonly pid: number | null;
  version: string;
  dataDir: string;
  /** Resolves with the reason when the supervisor gave up on it (crashing again and again). */
  failed: Promise<string>;
  /** SHUTDOWN (AOF flushed and fsynced), wait for the process to end, remove the lock. */
  stop(): Promise<void>;
  /** Last resort, synchronous (process exit, second Ctrl-C): SIGTERM, on which Redis also flushes its AOF. */
  stopNow(): void;
}

interface LockFile {
  pid: number;
  redisPid?: number;
  redisPort?: number;
}

/** Whether a process runs (a zombie, exited but not yet reaped by its new parent, does not). */
function alive(pid: number | undefined): boolean {
  if (!pid || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    // Linux: /proc/<pid>/stat is "pid (comm) S ..."; state Z or X means it has exited.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
  } catch {
    return true; // no /proc (macOS): kill(pid, 0) is all we know
  }
}

/** One command on a fresh connection; resolves with the reply line or bulk, rejects on an error reply. */
export function rawCommand(port: number, args: string[], timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: "127.0.0.1" });
    let buf = Buffer.alloc(0);
    const done = (err: Error | null, value = "") => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    const timer = setTimeout(() => done(new Error(`no answer from 127.0.0.1:${port}`)), timeoutMs);
    sock.on("error", (e) => done(e));
    sock.on("close", () => done(new Error("connection closed")));
    sock.on("connect", () => sock.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`));
    sock.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const nl = buf.indexOf("\r\n");
      if (nl < 0) return;
      const head = buf.subarray(0, nl).toString();
      if (head[0] === "-") return done(new Error(head.slice(1)));
      if (head[0] === "$") {
        const len = Number(head.slice(1));
        if (len < 0) return done(null, "");
        if (buf.length < nl + 2 + len + 2) return;
        return done(null, buf.subarray(nl + 2, nl + 2 + len).toString());
      }
      done(null, head.slice(1));
    });
  });
}

/** Listen on 127.0.0.1:`port` (0: any) and close again: the port it got, or null when `port` is taken. */
function tryPort(port: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", (e: NodeJS.ErrnoException) => (e.code === "EADDRINUSE" || e.code === "EACCES" ? resolve(null) : reject(e)));
    srv.listen({ port, host: "127.0.0.1", exclusive: true }, () => {
      const { port: got } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(got));
    });
  });
}

const freePort = async (): Promise<number> => (await tryPort(0))!;

/** The port recorded in `redis.port` by an earlier start on this data dir, or null (none, or not a port). */
function recordedPort(portPath: string): number | null {
  if (!existsSync(portPath)) return null;
  const port = Number(readFileSync(portPath, "utf8").trim());
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : null;
}

async function redisVersion(bin: string): Promise<string> {
  try {
    const { stdout } = await execFileP(bin, ["--version"], { timeout: 10_000 });
    return /v=(\d+\.\d+\.\d+)/.exec(stdout)?.[1] ?? "unknown";
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new MissingRedisServer(INSTALL_HINT);
    throw e;
  }
}

function tooOld(version: string): boolean {
  const [major = 0] = version.split(".").map(Number);
  return major < 7;
}

/** A Redis left running by a tinyqs that died (SIGKILL): shut it down so that only one process writes the AOF. */
async function stopLeftover(lock: LockFile, dataDir: string, log: (line: string) => void): Promise<void> {
  const { redisPid, redisPort } = lock;
  if (!redisPid || !redisPort || !alive(redisPid)) return;
  let info: string;
  try {
    info = await rawCommand(redisPort, ["INFO", "server"]);
  } catch {
    return; // no Redis on that port any more: the pid was reused by something else
  }
  // The Redis on the port of the lock has the pid of the lock: it is the one that run started.
  if (!new RegExp(`^process_id:${redisPid}\\r?$`, "m").test(info)) return;
  log(`tinyqs: a redis-server (pid ${redisPid}) from an earlier run that did not stop is still serving ${dataDir}; shutting it down first`);
  await rawCommand(redisPort, ["SHUTDOWN"], 15_000).catch(() => {});
  for (let i = 0; i < 150 && alive(redisPid); i++) await sleep(100);
  if (alive(redisPid)) throw new Error(`the earlier redis-server (pid ${redisPid}) did not stop; stop it, then start tinyqs again`);
}

/** The data directory made, resolved and locked for this process (see the header for the lock file). */
interface ClaimedDir {
  dataDir: string;
  lockPath: string;
  writeLock(l: LockFile): void;
}

/** The lock file's contents, or null when there is none or it cannot be read (then it is stale). */
function readLock(lockPath: string): LockFile | null {
  if (!existsSync(lockPath)) return null;
  try {
    return JSON.parse(readFileSync(lockPath, "utf8")) as LockFile;
  } catch {
    return null; // unreadable: treat as stale
  }
}

/** Refuse a directory a live tinyqs holds, stop a Redis a dead one left behind, then lock it for this process. */
async function claimDataDir(dataDirIn: string, log: (line: string) => void): Promise<ClaimedDir> {
  mkdirSync(dataDirIn, { recursive: true });
  const dataDir = realpathSync(dataDirIn);
  const lockPath = path.join(dataDir, "tinyqs.lock");
  const lock = readLock(lockPath);
  if (lock && lock.pid !== process.pid && alive(lock.pid)) {
    throw new Error(`${dataDir} is in use by another tinyqs (pid ${lock.pid}); give this one another --data-dir (or remove ${lockPath} if that process is not tinyqs)`);
  }
  if (lock) await stopLeftover(lock, dataDir, log);
  const writeLock = (l: LockFile) => writeFileSync(lockPath, JSON.stringify(l) + "\n");
  writeLock({ pid: process.pid });
  return { dataDir, lockPath, writeLock };
}

/** A spawned redis-server; `exited` and `stderr` are kept up to date by its events. */
interface RedisChild {
  child: ChildProcess;
  /** Resolves when the process has exited (or could not be spawned). */
  gone: Promise<void>;
  exited: boolean;
  /** How it exited ("signal SIGKILL", "exit code 1"), once it has. */
  why: string;
  stderr: string;
}

function spawnRedis(bin: string, port: number, dataDir: string, logFile: string): RedisChild {
  const child: ChildProcess = spawn(
    bin,
    [
      "--port", String(port),
      "--bind", "127.0.0.1",
      "--dir", dataDir,
      "--appendonly", "yes",
      "--appendfsync", "always",
      "--save", "",
      "--logfile", logFile,
      "--daemonize", "no",
    ],
    { detached: true, stdio: ["ignore", "ignore", "pipe"] },
  );
  const rc: Omit<RedisChild, "gone"> = { child, exited: false, why: "", stderr: "" };
  child.stderr!.on("data", (d) => (rc.stderr += d));
  const gone = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => ((rc.exited = true), (rc.why = signal ? `signal ${signal}` : `exit code ${code}`), resolve()));
    child.once("error", (e) => ((rc.exited = true), (rc.stderr += e.message), resolve()));
  });
  return Object.assign(rc, { gone });
}

/** Up when it answers PING; while it loads a large AOF it answers LOADING: keep waiting (up to 2 min). */
async function answersPing(port: number, rc: RedisChild): Promise<boolean> {
  for (const started = Date.now(); !rc.exited && Date.now() - started < 120_000; ) {
    const reply = await rawCommand(port, ["PING"], 500).catch((e: Error) => e.message);
    if (reply === "PONG") return true;
    await sleep(20);
  }
  return false;
}

/** SHUTDOWN, then SIGTERM after 10 s, then SIGKILL after 5 s more, waiting for the exit each time. */
async function shutDown(port: number, rc: RedisChild): Promise<void> {
  if (rc.exited) return;
  // SHUTDOWN answers by closing the connection once the AOF is written and fsynced.
  await rawCommand(port, ["SHUTDOWN"], 15_000).catch(() => {});
  const exitWithin = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), ms);
      void rc.gone.then(() => (clearTimeout(t), resolve(true)));
    });
  if (!(await exitWithin(10_000))) {
    rc.child.kill("SIGTERM");
    if (!(await exitWithin(5_000))) {
      rc.child.kill("SIGKILL");
      await rc.gone;
    }
  }
}

/** A child that answers, as the supervisor handles it. */
function supervised(rc: RedisChild, port: number): Supervised {
  return {
    pid: rc.child.pid!,
    gone: rc.gone.then(() => rc.why),
    stop: () => shutDown(port, rc),
    stopNow: () => void (rc.exited || rc.child.kill("SIGTERM")),
  };
}

/** Spawn on `port` and wait for PING; `up: false` (the child gone, its stderr kept) when it did not come up. */
async function spawnAnswering(bin: string, port: number, dir: ClaimedDir, logFile: string): Promise<{ rc: RedisChild; up: boolean }> {
  const rc = spawnRedis(bin, port, dir.dataDir, logFile);
  if (await answersPing(port, rc)) return { rc, up: true };
  if (!rc.exited) rc.child.kill("SIGKILL");
  await rc.gone;
  return { rc, up: false };
}

/**
 * The handle of a Redis that answers, supervised: the lock names the child running now, a crashed
 * one is started again on the same port, and stop() removes the lock once it has exited.
 */
function embeddedHandle(rc: RedisChild, port: number, version: string, dir: ClaimedDir, bin: string, logFile: string, log: (line: string) => void, warn: (line: string) => void): EmbeddedRedis {
  const lockFor = (pid: number) => dir.writeLock({ pid: process.pid, redisPid: pid, redisPort: port });
  lockFor(rc.child.pid!);
  const supervisor = new RedisSupervisor(supervised(rc, port), {
    address: `127.0.0.1:${port}`,
    logFile,
    log,
    warn,
    onRestarted: (child) => lockFor(child.pid),
    async restart() {
      const { rc: again, up } = await spawnAnswering(bin, port, dir, logFile);
      if (!up) throw new Error(lastWords(again, logFile));
      return supervised(again, port);
    },
  });
  const removeLock = () => rmSync(dir.lockPath, { force: true });
  let stopping: Promise<void> | null = null;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return supervisor.pid;
    },
    version,
    dataDir: dir.dataDir,
    failed: supervisor.failed,
    stop() {
      return (stopping ??= (async () => {
        await supervisor.stop();
        removeLock();
      })());
    },
    stopNow() {
      supervisor.stopNow();
    },
  };
}

/** The last lines of the Redis log, for a message about a start that failed. */
function logTail(logFile: string): string {
  return existsSync(logFile) ? readFileSync(logFile, "utf8").trim().split("\n").slice(-8).join("\n") : "";
}

/** What a child that did not come up said: its stderr, then the end of its log. */
function lastWords(rc: RedisChild, logFile: string): string {
  return `${rc.stderr.trim()}\n${logTail(logFile)}`.trim() || "no output";
}

/** Start the embedded Redis on this data dir's recorded port when it is free, else on a free port
 * (up to 5 tries, when a port is taken between the check and the spawn), with the data directory
 * locked for this process. `warn` (stderr) hears of a move off the recorded port. */
export async function startEmbeddedRedis(
  dataDirIn: string,
  log: (line: string) => void,
  warn: (line: string) => void = log,
): Promise<EmbeddedRedis> {
  const bin = process.env.TINYQS_REDIS_SERVER || "redis-server";
  const version = await redisVersion(bin);
  if (tooOld(version)) throw new Error(`redis-server ${version} is too old: tinyqs needs Redis >= 7.0 (its scripts declare flags: #!lua)`);
  const dir = await claimDataDir(dataDirIn, log);

  const logFile = path.join(dir.dataDir, "redis.log");
  const portPath = path.join(dir.dataDir, "redis.port");
  let wanted = recordedPort(portPath);
  const moveOff = (port: number) =>
    warn(`tinyqs: warning: port ${port}, where the Redis of ${dir.dataDir} ran before (${portPath}), is taken by another process; using a new free port, so the URL printed before no longer works`);
  if (wanted !== null && (await tryPort(wanted)) === null) {
    moveOff(wanted);
    wanted = null;
  }

  let lastError: Error | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = wanted ?? (await freePort());
    const { rc, up } = await spawnAnswering(bin, port, dir, logFile);
    if (up) {
      writeFileSync(portPath, `${port}\n`);
      return embeddedHandle(rc, port, version, dir, bin, logFile, log, warn);
    }
    const why = lastWords(rc, logFile);
    lastError = new Error(`redis-server did not start on 127.0.0.1:${port} (its log: ${logFile}):\n${why}`);
    if (!/address already in use|could not create server tcp listening socket/i.test(why)) break;
    // the port was taken meanwhile: the next try takes a new free one
    if (port === wanted) moveOff(port);
    wanted = null;
  }
  rmSync(dir.lockPath, { force: true });
  throw lastError ?? new Error("redis-server did not start");
}
