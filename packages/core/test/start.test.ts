// `pnpm start` (issue 5): scripts/start/main.ts run as `pnpm start` runs it (node --import tsx, from
// the repo root, on the built packages — `pnpm test` builds first), on free ports and temp data dirs.
// What is sent through TCP and HTTP survives a Ctrl-C and a restart; the embedded redis-server goes
// away with tinyqs (even one left behind by a SIGKILLed tinyqs is shut down by the next start); with
// --redis no redis-server is needed; without redis-server there is a clear message.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { uniqueQueue } from "./helpers/util.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const MAIN = "scripts/start/main.ts";

interface Running {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
  tcpPort: number;
  httpUrl: string;
  redisPid: number | null;
  redisPort: number | null;
}

const children = new Set<ChildProcess>();
const redisPids = new Set<number>();
const dirs: string[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const pid of redisPids) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith("redis-server")) process.kill(pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), "tinyqs-start-"));
  dirs.push(d);
  return d;
}

/** The environment of the child, without any TINYQS_* of ours. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("TINYQS_")) env[k] = v;
  return { ...env, ...extra };
}

function launch(args: string[], env: NodeJS.ProcessEnv = cleanEnv()) {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

/** Start tinyqs on free ports; resolves once it says it is ready. */
async function start(args: string[], env?: NodeJS.ProcessEnv): Promise<Running> {
  const p = launch(["--tcp-port", "0", "--http-port", "0", ...args], env);
  const ready = await Promise.race([
    new Promise<boolean>((resolve) => {
      const check = () => (p.out().includes("tinyqs: ready") ? resolve(true) : undefined);
      p.child.stdout!.on("data", check);
    }),
    p.exited.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20_000)),
  ]);
  if (!ready) throw new Error(`tinyqs did not start:\n${p.out()}\n${p.err()}`);
  const out = p.out();
  const redis = /embedded redis-server \S+ \(pid (\d+)\) on 127\.0\.0\.1:(\d+)/.exec(out);
  if (redis) redisPids.add(Number(redis[1]));
  return {
    ...p,
    tcpPort: Number(/tinyqs: tcp +127\.0\.0\.1:(\d+)/.exec(out)![1]),
    httpUrl: /tinyqs: http +(http:\/\/\S+)/.exec(out)![1]!,
    redisPid: redis ? Number(redis[1]) : null,
    redisPort: redis ? Number(redis[2]) : null,
  };
}

function running(pid: number): boolean {
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

function tcpClient(port: number): Redis {
  return new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 1, lazyConnect: true });
}

async function sendBoth(t: Running, queue: string) {
  const r = tcpClient(t.tcpPort);
  try {
    expect(await r.call("SEND", queue, "via tcp")).toMatch(/^\d+-\d+$/);
  } finally {
    r.disconnect();
  }
  const res = await fetch(`${t.httpUrl}/v1/queues/${queue}/messages`, { method: "POST", body: "via http" });
  expect(res.status).toBe(201);
}

async function receiveBoth(t: Running, queue: string): Promise<string[]> {
  const r = tcpClient(t.tcpPort);
  let first: string;
  try {
    const m = (await r.callBuffer("RECEIVE", queue)) as Buffer[];
    first = m[2]!.toString();
    expect(await r.call("DELETE", queue, m[1]!.toString())).toBe(1);
  } finally {
    r.disconnect();
  }
  const res = await fetch(`${t.httpUrl}/v1/queues/${queue}/messages`);
  expect(res.status).toBe(200);
  return [first, await res.text()].sort();
}

// Each test starts node + tsx + the servers once or twice: seconds alone, more beside the other test files.
describe.concurrent("pnpm start", { timeout: 90_000 }, () => {
  it("what was sent through TCP and HTTP is there after Ctrl-C and a restart; the redis child goes with it", async () => {
    const dataDir = path.join(tempDir(), "data");
    const queue = uniqueQueue("start");
    const first = await start(["--data-dir", dataDir]);
    expect(first.redisPid).not.toBeNull();
    expect(running(first.redisPid!)).toBe(true);
    await sendBoth(first, queue);

    // a second tinyqs on the same data dir is refused while the first runs
    const second = launch(["--tcp-port", "0", "--http-port", "0", "--data-dir", dataDir]);
    expect(await second.exited).toBe(1);
    expect(second.err()).toMatch(/is in use by another tinyqs \(pid \d+\)/);

    first.child.kill("SIGINT");
    expect(await first.exited).toBe(0);
    expect(first.out()).toContain("tinyqs: SIGINT, shutting down");
    expect(first.out()).toContain("tinyqs: stopped");
    expect(running(first.redisPid!)).toBe(false);
    expect(readFileSync(path.join(dataDir, "redis.log"), "utf8")).toMatch(/User requested shutdown/);

    const again = await start(["--data-dir", dataDir]);
    expect(await receiveBoth(again, queue)).toEqual(["via http", "via tcp"]);
    again.child.kill("SIGTERM");
    expect(await again.exited).toBe(0);
    expect(running(again.redisPid!)).toBe(false);
  });

  it("a redis-server left behind by a SIGKILLed tinyqs is shut down by the next start, and nothing is lost", async () => {
    const dataDir = path.join(tempDir(), "data");
    const queue = uniqueQueue("start");
    const first = await start(["--data-dir", dataDir]);
    await sendBoth(first, queue);
    first.child.kill("SIGKILL");
    await first.exited;
    expect(running(first.redisPid!)).toBe(true); // detached: it outlives a SIGKILL

    const again = await start(["--data-dir", dataDir]);
    expect(again.out()).toContain(`a redis-server (pid ${first.redisPid}) from an earlier run`);
    expect(running(first.redisPid!)).toBe(false);
    expect(await receiveBoth(again, queue)).toEqual(["via http", "via tcp"]);
    again.child.kill("SIGINT");
    expect(await again.exited).toBe(0);
  });

  it("--redis URL: uses that Redis and needs no redis-server (none on PATH)", async () => {
    const queue = uniqueQueue("start");
    const dataDir = path.join(tempDir(), "unused");
    const t = await start(["--redis", inject("redisUrl"), "--data-dir", dataDir], cleanEnv({ PATH: "" }));
    expect(t.redisPid).toBeNull();
    expect(t.out()).toContain(`tinyqs: redis  ${inject("redisUrl")}`);
    await sendBoth(t, queue);
    expect(await receiveBoth(t, queue)).toEqual(["via http", "via tcp"]);
    t.child.kill("SIGINT");
    expect(await t.exited).toBe(0);
    expect(() => readFileSync(path.join(dataDir, "redis.log"))).toThrow(); // no data dir was made
  });

  it("without redis-server: says how to install it, exits 1", async () => {
    const p = launch(["--data-dir", path.join(tempDir(), "data")], cleanEnv({ PATH: "" }));
    expect(await p.exited).toBe(1);
    expect(p.err()).toContain("apt-get install redis-server");
    expect(p.err()).toContain("brew install redis");
    expect(p.err()).toContain("--redis");
  });

  it("--help lists the flags; a bad flag exits 2", async () => {
    const help = launch(["--help"]);
    expect(await help.exited).toBe(0);
    for (const flag of ["--host", "--tcp-port", "--http-port", "--redis", "--data-dir", "--password", "--token", "--help"]) {
      expect(help.out()).toContain(flag);
    }
    const bad = launch(["--tcp-port", "seventy"]);
    expect(await bad.exited).toBe(2);
    expect(bad.err()).toContain("--tcp-port must be a port number");
  });
});
