// `pnpm start` as a user meets it, through @tinyqs/client (core/test/start.test.ts covers the
// process itself with raw RESP and fetch: restarts, a SIGKILLed tinyqs, --help, no redis-server):
// - the four verbs through both servers, crossing between them;
// - the embedded Redis: append-only, its data in the data dir (here given by TINYQS_DATA_DIR);
// - every example runs with its one documented command against it (the embedded ones find its Redis
//   by themselves);
// - Ctrl-C as a terminal sends it (SIGINT to the whole process group) stops everything cleanly, and
//   what was sent is there after the next start;
// - TINYQS_REDIS_URL: that Redis, no redis-server needed; the flags and variables (parseStartArgs);
// - --redis-timeout-ms reaches the engine: with Redis down, clients get UNAVAILABLE after that long.
// Needs the packages built (`pnpm test` builds first): `pnpm start` runs on their dist/.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { TinyQS } from "@tinyqs/core";
import { freePort, uniqueQueue } from "@tinyqs/test-support";
import { parseStartArgs } from "../../../scripts/start/options.js";
import { connect, type TinyQSApi } from "../src/index.js";
import { ROOT, cleanEnv, launch, running, signalGroup, start, stopAll, tempDir } from "@tinyqs/test-support/start";

const run = promisify(execFile);
afterAll(stopAll);

/** One documented command, from the repository root; its output. */
async function example(command: string, args: string[], env: Record<string, string>): Promise<string> {
  const { stdout } = await run(command, args, { cwd: ROOT, env: cleanEnv(env), timeout: 60_000 });
  return stdout;
}

describe.concurrent("pnpm start, through @tinyqs/client", { timeout: 120_000 }, () => {
  it("serves TCP and HTTP on one embedded, append-only Redis; the examples run against it; Ctrl-C loses nothing", async () => {
    const dataDir = path.join(tempDir(), "data");
    const first = await start([], cleanEnv({ TINYQS_DATA_DIR: dataDir }));
    expect(first.redis).not.toBeNull();
    expect(first.out()).toContain(`tinyqs: embed  new TinyQS({ redis: "${first.redis!.url}" })`);
    const admin = new Redis(first.redis!.url, { maxRetriesPerRequest: 1 });
    try {
      expect(await admin.config("GET", "appendonly")).toEqual(["appendonly", "yes"]);
      expect(await admin.config("GET", "dir")).toEqual(["dir", dataDir]);
    } finally {
      admin.disconnect();
    }
    expect(existsSync(path.join(dataDir, "appendonlydir"))).toBe(true);

    const tcp = connect(`tinyqs://127.0.0.1:${first.tcpPort}`);
    const http = connect(first.httpUrl);
    const q = uniqueQueue("start");
    try {
      // The four verbs, each message crossing from one server to the other.
      const id = await tcp.send(q, "via tcp");
      const m = (await http.receive(q, { visibilityMs: 60_000 }))!;
      expect(m).toMatchObject({ id, receiveCount: 1 });
      expect(await tcp.touch(q, m.receipt!, { visibilityMs: 60_000 })).toBe(true);
      expect(await http.delete(q, m.receipt!)).toBe(true);
      // Kept for after the restart: one through each server.
      await tcp.send(q, "kept, via tcp");
      await http.send(q, "kept, via http");
    } finally {
      await Promise.all([tcp.close(), http.close()]);
    }

    // Each example with its one command (ports here are free ones, hence the variables).
    const url = { tcp: `tinyqs://127.0.0.1:${first.tcpPort}`, http: first.httpUrl };
    const embedded = { TINYQS_DATA_DIR: dataDir }; // finds the Redis from the lock in the data dir
    const tour = await example("pnpm", ["--silent", "--filter", "@tinyqs/example-embedded", "tour"], embedded);
    expect(tour).toMatch(/^send {4}→ \d+-\d+\nreceive → "resize 3\.png" \(receipt \d+-\d+\.1, delivery 1\)\ntouch {3}→ true\ndelete  → true\n$/);
    const jobs = await example("pnpm", ["--silent", "--filter", "@tinyqs/example-embedded", "start"], embedded);
    expect(jobs).toContain("stats: sent 10, received 11, deleted 10, ready 0");
    for (const way of ["tcp", "http"] as const) {
      const worker = await example("pnpm", ["--silent", "--filter", "@tinyqs/example-remote-worker", "start"], { TINYQS_URL: url[way] });
      expect(worker, way).toContain("worker: job 3 done (delivery 2)");
      const rpc = await example("pnpm", ["--silent", "--filter", "@tinyqs/example-remote-worker", "request-response"], { TINYQS_URL: url[way] });
      expect(rpc, way).toMatch(/caller: 4 squared is 16 \(handle example-rpc-\d+:\d+-\d+\)/);
      const remoteTour = await example("pnpm", ["--silent", "--filter", "@tinyqs/example-remote-worker", "tour"], { TINYQS_URL: url[way] });
      expect(remoteTour, way).toMatch(/receive → "resize 4\.png" \(receipt \d+-\d+\.1, delivery 1\)\ntouch {3}→ true\ndelete  → true\n$/);
    }
    const cli = await example("pnpm", ["--silent", "--filter", "@tinyqs/example-redis-cli", "start"], { TINYQS_TCP_PORT: String(first.tcpPort) });
    expect(cli).toMatch(/> RESPOND \S+ \d+-1\.1 42\n\(integer\) 1\n/);
    const curl = await example("bash", ["examples/curl/session.sh"], { TINYQS_URL: first.httpUrl });
    expect(curl.trim().split("\n").at(-1)).toBe("-> done");
    // The tours used the queue "jobs" of this tinyqs, and left it empty.
    const look = connect(url.tcp);
    try {
      expect(await look.stats("jobs")).toMatchObject({ sent: 3, deleted: 3, ready: 0, inFlight: 0 });
    } finally {
      await look.close();
    }

    // Ctrl-C in the terminal: SIGINT to the whole foreground process group.
    signalGroup(first, "SIGINT");
    expect(await first.exited).toBe(0);
    expect(first.out()).toContain("tinyqs: SIGINT, shutting down");
    expect(first.out()).toMatch(/tinyqs: stopped\n$/);
    expect(first.err()).toBe("");
    expect(running(first.redis!.pid)).toBe(false);

    const again = await start(["--data-dir", dataDir]);
    const after = connect(again.httpUrl);
    try {
      const kept = await after.receiveBatch(q, { max: 10 });
      expect(kept.map((k) => k.body.toString())).toEqual(["kept, via tcp", "kept, via http"]);
      expect(await after.stats(q)).toMatchObject({ sent: 3, deleted: 1 });
    } finally {
      await after.close();
    }
    signalGroup(again, "SIGINT");
    expect(await again.exited).toBe(0);
    expect(running(again.redis!.pid)).toBe(false);
  });

  it("TINYQS_REDIS_URL: that Redis, shared with engines elsewhere; no redis-server needed", async () => {
    const redis = inject("redisUrl");
    const dataDir = path.join(tempDir(), "unused");
    const t = await start(["--data-dir", dataDir], cleanEnv({ TINYQS_REDIS_URL: redis, PATH: "" }));
    expect(t.redis).toBeNull();
    expect(t.out()).toContain(`tinyqs: redis  ${redis}`);
    const q = uniqueQueue("start-env");
    const engine = new TinyQS({ redis });
    const clients: TinyQSApi[] = [connect(`tinyqs://127.0.0.1:${t.tcpPort}`), connect(t.httpUrl)];
    try {
      await engine.sendBatch(q, ["one", "two"]);
      for (const [i, c] of clients.entries()) {
        const m = (await c.receive(q))!;
        expect(m.body.toString()).toBe(["one", "two"][i]);
        expect(await c.delete(q, m.receipt!)).toBe(true);
      }
      expect(await engine.stats(q)).toMatchObject({ sent: 2, deleted: 2, ready: 0 });
    } finally {
      await Promise.all([engine.close(), ...clients.map((c) => c.close())]);
    }
    signalGroup(t, "SIGINT");
    expect(await t.exited).toBe(0);
    expect(existsSync(dataDir)).toBe(false); // no embedded Redis, no data dir
  });

  it("--redis-timeout-ms / TINYQS_REDIS_TIMEOUT_MS reach the engine: with its Redis down, clients get UNAVAILABLE after that long", async () => {
    const dead = `redis://127.0.0.1:${await freePort()}`;
    const t = await start(["--redis", dead, "--redis-timeout-ms", "1000"], cleanEnv({ TINYQS_REDIS_TIMEOUT_MS: "60000", PATH: "" }));
    // The start-up check waited the flag's 1000 ms, not the variable's minute, then served anyway.
    expect(t.err()).toMatch(/does not answer yet \([^)]*1000 ms/);
    const clients: TinyQSApi[] = [connect(`tinyqs://127.0.0.1:${t.tcpPort}`), connect(t.httpUrl)];
    try {
      for (const c of clients) {
        const t0 = Date.now();
        const e = await c.send(uniqueQueue("start-down"), "x").catch((err: unknown) => err);
        expect(e).toMatchObject({ code: "UNAVAILABLE", message: expect.stringMatching(/Redis.* 1000 ms/) });
        expect(Date.now() - t0).toBeLessThan(5000);
      }
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
    signalGroup(t, "SIGINT");
    expect(await t.exited).toBe(0);
  });

  it("an embedded example with no tinyqs running and no TINYQS_REDIS_URL says what to do", async () => {
    const { stdout, stderr } = await run(process.execPath, ["examples/embedded/tour.mjs"], {
      cwd: ROOT,
      env: cleanEnv({ TINYQS_DATA_DIR: path.join(tempDir(), "nothing-here") }),
    }).then(
      () => ({ stdout: "exited 0", stderr: "" }),
      (e: { stdout: string; stderr: string; code: number }) => ({ stdout: `exit ${e.code}`, stderr: e.stderr }),
    );
    expect(stdout).toBe("exit 1");
    expect(stderr).toContain("start tinyqs first (`pnpm start`");
    expect(stderr).toContain("TINYQS_REDIS_URL=");
  });
});

describe("pnpm start's flags and variables", () => {
  const cwd = "/srv/app";
  it("defaults: 127.0.0.1, TCP 7379, HTTP 7380, SQS 9324, the embedded Redis with ./.tinyqs-data", () => {
    expect(parseStartArgs([], {}, cwd)).toEqual({
      kind: "run",
      config: { host: "127.0.0.1", tcpPort: 7379, httpPort: 7380, redis: undefined, dataDir: "/srv/app/.tinyqs-data", password: undefined, token: undefined, sqs: { port: 9324 }, allowEviction: false, ui: "on" },
    });
    expect(parseStartArgs(["--allow-eviction"], {}, cwd)).toMatchObject({ config: { allowEviction: true } });
    expect(parseStartArgs([], { TINYQS_ALLOW_EVICTION: "1" }, cwd)).toMatchObject({ config: { allowEviction: true } });
    expect(parseStartArgs(["--durability-replicas", "1", "--durability-timeout-ms", "800"], {}, cwd)).toMatchObject({
      config: { durability: { replicas: 1, timeoutMs: 800 } },
    });
  });

  it("the dashboard: --ui on|read-only|off (or TINYQS_UI), --no-ui (or TINYQS_NO_UI=1)", () => {
    expect(parseStartArgs(["--ui", "read-only"], {}, cwd)).toMatchObject({ config: { ui: "read-only" } });
    expect(parseStartArgs([], { TINYQS_UI: "off" }, cwd)).toMatchObject({ config: { ui: "off" } });
    expect(parseStartArgs(["--no-ui"], {}, cwd)).toMatchObject({ config: { ui: "off" } });
    expect(parseStartArgs([], { TINYQS_NO_UI: "1" }, cwd)).toMatchObject({ config: { ui: "off" } });
    expect(parseStartArgs([], { TINYQS_NO_UI: "0" }, cwd)).toMatchObject({ config: { ui: "on" } });
    expect(() => parseStartArgs(["--ui", "readonly"], {}, cwd)).toThrow('--ui must be one of on, read-only, off, got "readonly"');
  });

  it("the SQS port: --sqs-port, --no-sqs (or TINYQS_NO_SQS=1), --sqs-credentials and its variable", () => {
    expect(parseStartArgs(["--sqs-port", "0"], {}, cwd)).toMatchObject({ config: { sqs: { port: 0 } } });
    expect(parseStartArgs(["--no-sqs"], {}, cwd)).toMatchObject({ config: { sqs: { port: null } } });
    expect(parseStartArgs([], { TINYQS_NO_SQS: "1" }, cwd)).toMatchObject({ config: { sqs: { port: null } } });
    expect(parseStartArgs([], { TINYQS_NO_SQS: "0" }, cwd)).toMatchObject({ config: { sqs: { port: 9324 } } });
    expect(() => parseStartArgs([], { TINYQS_NO_SQS: "maybe" }, cwd)).toThrow("TINYQS_NO_SQS: --no-sqs must be 1, true or yes");
    expect(() => parseStartArgs(["--no-sqs=yes"], {}, cwd)).toThrow("--no-sqs takes no value");
    expect(parseStartArgs([], { TINYQS_SQS_CREDENTIALS: "AK:S" }, cwd)).toMatchObject({ config: { sqs: { credentials: "AK:S" } } });
    expect(parseStartArgs(["--sqs-account", "123456789012", "--sqs-region", "eu-west-1"], {}, cwd)).toMatchObject({ config: { sqs: { account: "123456789012", region: "eu-west-1" } } });
  });

  it("--redis or TINYQS_REDIS_URL; the flag wins; --data-dir or TINYQS_DATA_DIR, relative to where it runs", () => {
    const env = { TINYQS_REDIS_URL: "redis://10.0.0.1:6379", TINYQS_DATA_DIR: "var/q" };
    expect(parseStartArgs([], env, cwd)).toMatchObject({ config: { redis: "redis://10.0.0.1:6379", dataDir: "/srv/app/var/q" } });
    expect(parseStartArgs(["--", "--redis", "redis://10.0.0.2:6380", "--data-dir=/data"], env, cwd)).toMatchObject({
      config: { redis: "redis://10.0.0.2:6380", dataDir: "/data" },
    });
    expect(() => parseStartArgs(["--redis"], {}, cwd)).toThrow("--redis needs a value (URL)");
    expect(() => parseStartArgs(["--http-port", "70000"], {}, cwd)).toThrow("--http-port must be a port number");
    expect(() => parseStartArgs([], { TINYQS_TCP_PORT: "x" }, cwd)).toThrow("TINYQS_TCP_PORT: --tcp-port must be a port number");
  });

  it("--redis-timeout-ms or TINYQS_REDIS_TIMEOUT_MS, the engine's range (1-600000); the flag wins; unset: the engine's default", () => {
    expect(parseStartArgs([], {}, cwd)).toMatchObject({ config: { redisTimeoutMs: undefined } });
    expect(parseStartArgs([], { TINYQS_REDIS_TIMEOUT_MS: "2500" }, cwd)).toMatchObject({ config: { redisTimeoutMs: 2500 } });
    expect(parseStartArgs(["--", "--redis-timeout-ms", "1000"], { TINYQS_REDIS_TIMEOUT_MS: "2500" }, cwd)).toMatchObject({ config: { redisTimeoutMs: 1000 } });
    expect(() => parseStartArgs(["--redis-timeout-ms", "0"], {}, cwd)).toThrow('--redis-timeout-ms must be an integer from 1 to 600000, got "0"');
    expect(() => parseStartArgs([], { TINYQS_REDIS_TIMEOUT_MS: "600001" }, cwd)).toThrow("TINYQS_REDIS_TIMEOUT_MS: --redis-timeout-ms must be an integer from 1 to 600000");
  });

  it("--allowed-host or TINYQS_ALLOWED_HOSTS, as given (the HTTP server checks each name); the flag wins", () => {
    expect(parseStartArgs([], { TINYQS_ALLOWED_HOSTS: "q.example,.corp.example" }, cwd)).toMatchObject({ config: { allowedHosts: "q.example,.corp.example" } });
    expect(parseStartArgs(["--allowed-host", "r.example"], { TINYQS_ALLOWED_HOSTS: "q.example" }, cwd)).toMatchObject({ config: { allowedHosts: "r.example" } });
    expect(() => parseStartArgs(["--allowed-host"], {}, cwd)).toThrow("--allowed-host needs a value (NAME[,NAME…])");
  });

  it("a launch with a bad flag prints the usage and exits 2", async () => {
    const p = launch(["--nope"]);
    expect(await p.exited).toBe(2);
    expect(p.err()).toContain('unknown option "--nope"');
    expect(p.err()).toContain("usage: pnpm start");
  });
});
