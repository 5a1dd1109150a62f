// tinyqs-http checks Redis's settings before it listens (issue 11 item 5): an evicting
// maxmemory-policy stops the start (exit 1, the reason on stderr) unless --allow-eviction.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { RedisServer, spawnBin } from "@tinyqs/test-support";
import { eventually } from "./helpers.js";

const PKG = fileURLToPath(new URL("..", import.meta.url));
let evicting: RedisServer;

beforeAll(async () => {
  evicting = await RedisServer.start({ extraArgs: ["--maxmemory-policy", "volatile-ttl"] });
});
afterAll(async () => {
  await evicting?.cleanup();
});

describe("tinyqs-http and Redis's settings", () => {
  it("an evicting Redis stops the start with its reason; TINYQS_ALLOW_EVICTION=1 serves it, with a warning", async () => {
    const refused = spawnBin(PKG, ["--port", "0", "--redis", evicting.url], { cleanTinyqsEnv: true, killAfterMs: 25_000 });
    expect(await refused.exited).toBe(1);
    expect(refused.err()).toContain(`tinyqs-http: Redis at 127.0.0.1:${evicting.port} has maxmemory-policy volatile-ttl: when full it evicts keys`);
    expect(refused.err()).toContain("--allow-eviction");
    expect(refused.out()).not.toContain("listening");

    const allowed = spawnBin(PKG, ["--port", "0", "--redis", evicting.url], { cleanTinyqsEnv: true, env: { TINYQS_ALLOW_EVICTION: "1" }, killAfterMs: 25_000 });
    try {
      const url = (await eventually(() => /listening on (http:\S+)/.exec(allowed.out()), 15_000))![1]!;
      expect((await fetch(`${url}/v1/queues/q/messages`, { method: "POST", body: "x" })).status).toBe(201);
      expect(allowed.err()).toContain("(allowed by --allow-eviction)");
    } finally {
      allowed.child.kill("SIGTERM");
      expect(await allowed.exited).toBe(0);
    }
  });

  it("--durability-replicas: with no replica, a send is 503 UNAVAILABLE saying the write may exist", async () => {
    const run = spawnBin(PKG, ["--port", "0", "--redis", inject("redisUrl")], {
      cleanTinyqsEnv: true, env: { TINYQS_DURABILITY_REPLICAS: "1", TINYQS_DURABILITY_TIMEOUT_MS: "300" }, killAfterMs: 25_000,
    });
    try {
      const url = (await eventually(() => /listening on (http:\S+)/.exec(run.out()), 15_000))![1]!;
      const res = await fetch(`${url}/v1/queues/durable-http/messages`, { method: "POST", body: "x" });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^only 0 of 1 replicas acknowledged the write within 300 ms/);
    } finally {
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
    }
  });
});
