// `pnpm start` (issue 5): scripts/start/main.ts run as `pnpm start` runs it (node --import tsx, from
// the repo root, on the built packages — `pnpm test` builds first), on free ports and temp data dirs.
// What is sent through TCP and HTTP survives a Ctrl-C and a restart; the embedded redis-server goes
// away with tinyqs (even one left behind by a SIGKILLed tinyqs is shut down by the next start); with
// --redis no redis-server is needed; without redis-server there is a clear message. The embedded
// Redis keeps its port across restarts of a data dir (issue 18), so an engine elsewhere keeps working.
import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { cleanEnv, launch, running, start, stopAll, tempDir, type Started } from "@tinyqs/test-support/start";
import { uniqueQueue } from "@tinyqs/test-support";
import { TinyQS } from "../src/index.js";

afterAll(stopAll);

function tcpClient(port: number): Redis {
  return new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 1, lazyConnect: true });
}

async function sendBoth(t: Started, queue: string) {
  const r = tcpClient(t.tcpPort);
  try {
    expect(await r.call("SEND", queue, "via tcp")).toMatch(/^\d+-\d+$/);
  } finally {
    r.disconnect();
  }
  const res = await fetch(`${t.httpUrl}/v1/queues/${queue}/messages`, { method: "POST", body: "via http" });
  expect(res.status).toBe(201);
}

async function receiveBoth(t: Started, queue: string): Promise<string[]> {
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
    expect(first.redis).not.toBeNull();
    expect(running(first.redis!.pid)).toBe(true);
    await sendBoth(first, queue);

    // a second tinyqs on the same data dir is refused while the first runs
    const second = launch(["--tcp-port", "0", "--http-port", "0", "--data-dir", dataDir]);
    expect(await second.exited).toBe(1);
    expect(second.err()).toMatch(/is in use by another tinyqs \(pid \d+\)/);

    first.child.kill("SIGINT");
    expect(await first.exited).toBe(0);
    expect(first.out()).toContain("tinyqs: SIGINT, shutting down");
    expect(first.out()).toContain("tinyqs: stopped");
    expect(running(first.redis!.pid)).toBe(false);
    expect(readFileSync(path.join(dataDir, "redis.log"), "utf8")).toMatch(/User requested shutdown/);

    const again = await start(["--data-dir", dataDir]);
    expect(await receiveBoth(again, queue)).toEqual(["via http", "via tcp"]);
    again.child.kill("SIGTERM");
    expect(await again.exited).toBe(0);
    expect(running(again.redis!.pid)).toBe(false);
  });

  it("a redis-server left behind by a SIGKILLed tinyqs is shut down by the next start, and nothing is lost", async () => {
    const dataDir = path.join(tempDir(), "data");
    const queue = uniqueQueue("start");
    const first = await start(["--data-dir", dataDir]);
    await sendBoth(first, queue);
    first.child.kill("SIGKILL");
    await first.exited;
    expect(running(first.redis!.pid)).toBe(true); // detached: it outlives a SIGKILL

    const again = await start(["--data-dir", dataDir]);
    expect(again.out()).toContain(`a redis-server (pid ${first.redis!.pid}) from an earlier run`);
    expect(running(first.redis!.pid)).toBe(false);
    expect(await receiveBoth(again, queue)).toEqual(["via http", "via tcp"]);
    again.child.kill("SIGINT");
    expect(await again.exited).toBe(0);
  });

  it("a restart on the same data dir keeps the Redis port: an engine given the first URL works again", async () => {
    const dataDir = path.join(tempDir(), "data");
    const queue = uniqueQueue("start");
    const first = await start(["--data-dir", dataDir]);
    const { port, url } = first.redis!;
    expect(readFileSync(path.join(dataDir, "redis.port"), "utf8").trim()).toBe(String(port));
    // an engine in this process, as in another one given the printed URL; its timeout spans the restart
    const tq = new TinyQS({ redis: url, timeoutMs: 30_000 });
    try {
      expect(await tq.send(queue, "before")).toMatch(/^\d+-\d+$/);
      first.child.kill("SIGINT");
      expect(await first.exited).toBe(0);

      const again = await start(["--data-dir", dataDir]);
      expect(again.redis!.port).toBe(port);
      expect(again.err()).not.toContain("is taken by another process");
      expect(await tq.send(queue, "after")).toMatch(/^\d+-\d+$/); // it reconnected to the same port
      const got = [(await tq.receive(queue))!, (await tq.receive(queue))!];
      expect(got.map((m) => m.body.toString()).sort()).toEqual(["after", "before"]);
      again.child.kill("SIGINT");
      expect(await again.exited).toBe(0);
    } finally {
      await tq.close();
    }
  });

  it("when something else holds the recorded port, the next start takes a new one and says so on stderr", async () => {
    const dataDir = path.join(tempDir(), "data");
    const queue = uniqueQueue("start");
    const first = await start(["--data-dir", dataDir]);
    const oldPort = first.redis!.port;
    await sendBoth(first, queue);
    first.child.kill("SIGINT");
    expect(await first.exited).toBe(0);

    const squatter = net.createServer();
    await new Promise<void>((resolve, reject) => {
      squatter.once("error", reject);
      squatter.listen({ port: oldPort, host: "127.0.0.1", exclusive: true }, resolve);
    });
    try {
      const again = await start(["--data-dir", dataDir]);
      expect(again.redis!.port).not.toBe(oldPort);
      expect(again.err()).toContain(`port ${oldPort}, where the Redis of`);
      expect(again.err()).toContain("is taken by another process; using a new free port");
      expect(readFileSync(path.join(dataDir, "redis.port"), "utf8").trim()).toBe(String(again.redis!.port));
      expect(await receiveBoth(again, queue)).toEqual(["via http", "via tcp"]); // same data, new port
      again.child.kill("SIGINT");
      expect(await again.exited).toBe(0);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it("--redis URL: uses that Redis and needs no redis-server (none on PATH)", async () => {
    const queue = uniqueQueue("start");
    const dataDir = path.join(tempDir(), "unused");
    const t = await start(["--redis", inject("redisUrl"), "--data-dir", dataDir], cleanEnv({ PATH: "" }));
    expect(t.redis).toBeNull();
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
