// A private, throwaway redis-server for one benchmark: a free port on 127.0.0.1, no persistence
// (`--save '' --appendonly no`, as the peers were measured), its own temp dir, stopped by its PID.
// Never the shared Redis on 6379: other work uses it, and FLUSHDB runs before every scenario.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";

export interface PrivateRedis {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** A port that was free a moment ago (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function answers(port: number): Promise<boolean> {
  const r = new Redis({ port, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  r.on("error", () => {}); // "not up yet" is expected here; ioredis would log it as unhandled
  try {
    await r.connect();
    return (await r.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

async function startOnce(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tinyqs-bench-redis-"));
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir,
      "--logfile", join(dir, "redis.log"), "--daemonize", "no"],
    { stdio: "ignore" },
  );
  let exited = false;
  const gone = new Promise<void>((resolve) => child.once("exit", () => { exited = true; resolve(); }));
  child.once("error", () => { exited = true; });
  // Whatever happens to the benchmark, don't leave the server behind.
  const killOnExit = () => { if (!exited && child.pid) process.kill(child.pid, "SIGTERM"); };
  process.once("exit", killOnExit);

  const stop = async () => {
    process.removeListener("exit", killOnExit);
    if (!exited && child.pid) process.kill(child.pid, "SIGTERM"); // no persistence: it exits without saving
    await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
    if (!exited && child.pid) process.kill(child.pid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };

  for (let i = 0; i < 50 && !exited; i++) {
    if (await answers(port)) return { url: `redis://127.0.0.1:${port}`, pid: child.pid!, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`redis-server did not come up on port ${port} (is redis-server installed?)`);
}

/** Start one; retry on a fresh port if another process grabbed the one we picked. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce();
    } catch (e) {
      last = e;
    }
  }
  throw last;
}
