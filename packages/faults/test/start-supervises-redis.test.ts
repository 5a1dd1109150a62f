// `pnpm start` supervises its embedded Redis (issue 11 item 2): a redis-server SIGKILLed by its PID is
// started again on the same port and data directory (what was sent is still there, an engine given
// the printed URL carries on), the crash is logged, /healthz answers 503 while Redis is down; a
// restart that fails (here: the port taken meanwhile) is retried on the same port; after 5 crashes in
// a minute tinyqs exits 1 saying why and where the Redis log is; a Redis that refuses to start at all
// (a corrupt append-only file) is said at once, with its log. Runs `pnpm start` on the built packages.
import { mkdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TinyQS } from "@tinyqs/core";
import { eventually, uniqueQueue } from "@tinyqs/test-support";
import { currentRedisPid, launch, running, signalGroup, start, stopAll, tempDir, type Started } from "@tinyqs/test-support/start";

afterAll(stopAll);

const healthz = (t: Started) => fetch(`${t.httpUrl}/healthz`).then((r) => r.status, () => 0);

/** SIGKILL the redis-server running now; resolves with the pid once it is gone. */
async function killRedis(t: Started): Promise<number> {
  const pid = currentRedisPid(t)!;
  process.kill(pid, "SIGKILL");
  await eventually(() => !running(pid), 5000, 5);
  return pid;
}

/** Until tinyqs says a new redis-server (not `old`) runs. */
const restarted = (t: Started, old: number) => eventually(() => { const pid = currentRedisPid(t); return pid !== old && pid !== null && running(pid) && pid; }, 15_000);

/** Listen on 127.0.0.1:port (retrying while the dead Redis's socket is released), as another program would; it hangs up on whoever connects. */
async function occupy(port: number): Promise<net.Server> {
  return (await eventually(() => new Promise<net.Server | null>((resolve) => {
    const srv = net.createServer((s) => s.destroy());
    srv.once("error", () => resolve(null));
    srv.listen({ port, host: "127.0.0.1", exclusive: true }, () => resolve(srv));
  }), 2000, 2))!;
}

describe.concurrent("pnpm start supervises its embedded Redis", { timeout: 90_000 }, () => {
  it("a SIGKILLed redis-server comes back on its port, with its data; /healthz is 503 while it is down", async () => {
    const t = await start(["--data-dir", path.join(tempDir(), "data")]);
    const { port, url } = t.redis!;
    const engine = new TinyQS({ redis: url, timeoutMs: 1000 }); // another process's engine, given the printed URL
    const q = uniqueQueue("supervised");
    try {
      const id = await engine.send(q, "before the crash");
      expect(await healthz(t)).toBe(200);

      // Down, and kept down a moment: the port is taken the instant it is free, so the restart fails.
      const first = await killRedis(t);
      const squatter = await occupy(port);
      await eventually(async () => (await healthz(t)) === 503, 10_000, 50);
      await eventually(() => /redis-server did not start again/.test(t.err()), 10_000);
      await new Promise<void>((r) => squatter.close(() => r()));

      const second = await restarted(t, first);
      expect(t.out()).toContain(`tinyqs: redis  restarted redis-server (pid ${second}) on 127.0.0.1:${port}`);
      expect(t.err()).toMatch(new RegExp(`redis-server \\(pid ${first}\\) exited \\(signal SIGKILL\\); restarting it on 127\\.0\\.0\\.1:${port} in \\d+ ms \\(crash 1 of 5`));
      await eventually(async () => (await healthz(t)) === 200, 10_000, 50);
      // The same port, the same data (append-only, appendfsync always); the other engine reconnected by itself.
      const m = await eventually(() => engine.receive(q).catch(() => null), 10_000, 100);
      expect(m).toMatchObject({ id, body: Buffer.from("before the crash") });
      expect(t.child.exitCode).toBeNull();
    } finally {
      await engine.close();
      signalGroup(t, "SIGTERM");
      expect(await t.exited).toBe(0);
    }
  });

  it("after 5 crashes in a minute tinyqs exits 1, saying why and where the Redis log is", async () => {
    const dataDir = path.join(tempDir(), "data");
    const t = await start(["--data-dir", dataDir]);
    const took: number[] = []; // from the killed redis-server gone to tinyqs saying a new one answers, per restart
    let pid = await killRedis(t);
    for (let crash = 2; crash <= 5; crash++) {
      const killedAt = Date.now();
      await restarted(t, pid);
      took.push(Date.now() - killedAt);
      pid = await killRedis(t);
    }
    console.log(`faults: start-supervise restarts after SIGKILL took ${took.join(", ")} ms (backoff 100, 200, 400, 800 ms); the 5th crash in a minute ends tinyqs`);
    expect(await t.exited).toBe(1);
    expect(t.err()).toContain(`that is 5 crashes of the embedded redis-server within 60 s, so tinyqs gives up and exits. Its log is ${dataDir}/redis.log`);
    expect(t.out()).toContain("tinyqs: the embedded redis-server keeps crashing, shutting down");
  });

  it("a Redis that refuses to start (a corrupt append-only file) is said at once, with where its log is", async () => {
    const dataDir = path.join(tempDir(), "data");
    mkdirSync(path.join(dataDir, "appendonlydir"), { recursive: true });
    writeFileSync(path.join(dataDir, "appendonlydir", "appendonly.aof.manifest"), "this is not a manifest\n");
    const t = launch(["--tcp-port", "0", "--http-port", "0", "--data-dir", dataDir]);
    expect(await t.exited).toBe(1);
    expect(t.err()).toContain(`redis-server did not start on 127.0.0.1:`);
    expect(t.err()).toContain(`(its log: ${dataDir}/redis.log)`);
  });
});
