// tinyqs-tcp checks Redis's settings before it listens (issue 11 item 5): an evicting
// maxmemory-policy stops the start (exit 1, the reason on stderr, nothing listening) unless
// --allow-eviction / TINYQS_ALLOW_EVICTION=1; `appendonly no` is a warning on stderr.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { RedisServer, spawnBin } from "@tinyqs/test-support";
import { USAGE, parseCli } from "../src/options.js";
import { RawClient, eventually, req, uniqueQueue } from "./helpers.js";

const PKG = fileURLToPath(new URL("..", import.meta.url));
let evicting: RedisServer;

beforeAll(async () => {
  evicting = await RedisServer.start({ extraArgs: ["--maxmemory-policy", "allkeys-lru"] });
});
afterAll(async () => {
  await evicting?.cleanup();
});

describe("tinyqs-tcp and Redis's settings", () => {
  it("--allow-eviction is a switch; TINYQS_ALLOW_EVICTION takes 1/0; --help lists it", () => {
    expect(parseCli([], {})).toMatchObject({ config: { server: {} } });
    expect(parseCli(["--allow-eviction"], {})).toMatchObject({ config: { server: { allowEviction: true } } });
    expect(parseCli([], { TINYQS_ALLOW_EVICTION: "1" })).toMatchObject({ config: { server: { allowEviction: true } } });
    expect(parseCli([], { TINYQS_ALLOW_EVICTION: "no" })).toMatchObject({ config: { server: { allowEviction: false } } });
    expect(() => parseCli([], { TINYQS_ALLOW_EVICTION: "maybe" })).toThrow('TINYQS_ALLOW_EVICTION must be 1, true or yes (or 0, false, no), got "maybe"');
    expect(() => parseCli(["--allow-eviction=yes"], {})).toThrow("--allow-eviction takes no value");
    expect(USAGE).toMatch(/^ {2}--allow-eviction {2,}serve a Redis whose maxmemory-policy evicts keys/m);
    expect(USAGE).toMatch(/^\s+env TINYQS_ALLOW_EVICTION$/m);
  });

  it("an evicting Redis stops the start with its reason; --allow-eviction serves it, with warnings", async () => {
    const refused = spawnBin(PKG, ["--port", "0", "--redis", evicting.url], { cleanTinyqsEnv: true, killAfterMs: 25_000 });
    expect(await refused.exited).toBe(1);
    expect(refused.err()).toContain(`tinyqs-tcp: Redis at 127.0.0.1:${evicting.port} has maxmemory-policy allkeys-lru: when full it evicts keys, and so loses messages. Set it to noeviction`);
    expect(refused.out()).not.toContain("listening");

    const allowed = spawnBin(PKG, ["--port", "0", "--redis", evicting.url, "--allow-eviction"], { cleanTinyqsEnv: true, killAfterMs: 25_000 });
    try {
      await eventually(() => /listening on/.test(allowed.out()), 15_000);
      expect(allowed.err()).toContain("maxmemory-policy allkeys-lru: when full it evicts keys, and so loses messages (allowed by --allow-eviction)");
      expect(allowed.err()).toContain("has appendonly no: acknowledged sends are in memory only");
    } finally {
      allowed.child.kill("SIGTERM");
      expect(await allowed.exited).toBe(0);
    }
  });

  it("--durability-replicas / TINYQS_DURABILITY_REPLICAS and --durability-timeout-ms reach the engine", async () => {
    expect(parseCli(["--durability-replicas", "2", "--durability-timeout-ms", "300"], {})).toMatchObject({ config: { server: { durability: { replicas: 2, timeoutMs: 300 } } } });
    expect(parseCli([], { TINYQS_DURABILITY_REPLICAS: "1" })).toMatchObject({ config: { server: { durability: { replicas: 1 } } } });
    expect(() => parseCli(["--durability-replicas", "101"], {})).toThrow("--durability-replicas must be an integer from 0 to 100");
    expect(USAGE).toMatch(/^ {2}--durability-replicas N /m);
    // The test Redis has no replica: a send waits its 300 ms for one, then is -UNAVAILABLE.
    const run = spawnBin(PKG, ["--port", "0", "--redis", inject("redisUrl"), "--durability-replicas", "1", "--durability-timeout-ms", "300"], {
      cleanTinyqsEnv: true, killAfterMs: 25_000,
    });
    try {
      const port = Number((await eventually(() => /listening on 127\.0\.0\.1:(\d+)/.exec(run.out()), 15_000))![1]);
      const c = await RawClient.connect(port);
      expect(await c.call(req("SEND", uniqueQueue("durable"), "x"))).toBe(
        "-UNAVAILABLE only 0 of 1 replicas acknowledged the write within 300 ms: it is stored on the master and may exist, but could be lost if the master fails\r\n",
      );
      c.socket.destroy();
    } finally {
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
    }
  });
});
