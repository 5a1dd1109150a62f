// `pnpm start` as a child process for the tests: scripts/start/main.ts run the way `pnpm start` runs
// it (node --import tsx, from the repository root, on the built packages), on free ports, in a
// process group of its own so that a test can signal the whole group as a terminal's Ctrl-C does.
// Everything started here is killed (SIGKILL, by pid) by stopAll() if a test left it running.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cleanEnv, spawnBin } from "./spawn-bin.js";

export { cleanEnv };

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface Launched {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

export interface Started extends Launched {
  tcpPort: number;
  httpUrl: string;
  /** The SQS port's URL, or null with --no-sqs. */
  sqsUrl: string | null;
  /** The embedded redis-server, or null with --redis / TINYQS_REDIS_URL. */
  redis: { pid: number; port: number; url: string } | null;
}

const children = new Set<ChildProcess>();
const redisPids = new Set<number>();
const dirs: string[] = [];

export function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), "tinyqs-start-"));
  dirs.push(d);
  return d;
}

export function launch(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): Launched {
  // detached: its own process group, see signalGroup()
  const p = spawnBin(ROOT, args, { command: ["--import", "tsx", "scripts/start/main.ts"], exactEnv: env, detached: true });
  children.add(p.child);
  return { child: p.child, out: p.out, err: p.err, exited: p.exited };
}

/** Start tinyqs on free ports; resolves once it says it is ready. */
export async function start(args: string[], env?: NodeJS.ProcessEnv): Promise<Started> {
  // Every port free, the SQS one too (unless the test turns it off or names one).
  const sqsPort = args.includes("--no-sqs") || args.includes("--sqs-port") ? [] : ["--sqs-port", "0"];
  const p = launch(["--tcp-port", "0", "--http-port", "0", ...sqsPort, ...args], env);
  const ready = await Promise.race([
    new Promise<boolean>((resolve) => p.child.stdout!.on("data", () => p.out().includes("tinyqs: ready") && resolve(true))),
    p.exited.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 30_000)),
  ]);
  if (!ready) throw new Error(`tinyqs did not start:\n${p.out()}\n${p.err()}`);
  const out = p.out();
  const redis = /embedded redis-server \S+ \(pid (\d+)\) on 127\.0\.0\.1:(\d+)/.exec(out);
  if (redis) redisPids.add(Number(redis[1]));
  return {
    ...p,
    tcpPort: Number(/tinyqs: tcp +127\.0\.0\.1:(\d+)/.exec(out)![1]),
    httpUrl: /tinyqs: http +(https?:\/\/\S+)/.exec(out)![1]!,
    sqsUrl: /tinyqs: sqs +(http:\/\/\S+)/.exec(out)?.[1] ?? null,
    redis: redis ? { pid: Number(redis[1]), port: Number(redis[2]), url: `redis://127.0.0.1:${redis[2]}` } : null,
  };
}

/**
 * The embedded redis-server running now, as tinyqs last said (its first "embedded redis-server … (pid N)"
 * line, or a later "restarted redis-server (pid N)" one); remembered for stopAll.
 */
export function currentRedisPid(p: Launched): number | null {
  const pids = [...p.out().matchAll(/(?:embedded|restarted) redis-server \S*\s*\(pid (\d+)\)/g)].map((m) => Number(m[1]));
  for (const pid of pids) redisPids.add(pid);
  return pids.at(-1) ?? null;
}

/** A signal to the child's whole process group, as a terminal sends Ctrl-C to everything in the foreground. */
export function signalGroup(p: Launched, signal: NodeJS.Signals): void {
  process.kill(-p.child.pid!, signal);
}

/** Whether a process runs (a zombie does not). */
export function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
  } catch {
    return true;
  }
}

/** afterAll: whatever is still running of ours goes (by pid), and the temp dirs with it. */
export function stopAll(): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try {
        process.kill(-c.pid!, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  }
  for (const pid of redisPids) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith("redis-server")) process.kill(pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
