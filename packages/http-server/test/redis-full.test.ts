// Issue 18: a Redis at its maxmemory (noeviction) refuses writes; tinyqs-http answers them 507 with
// code FULL (core's error table), not 500 INTERNAL, and keeps serving.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisServer } from "@tinyqs/test-support";
import { json, startServer, uniqueQueue, type Running } from "./helpers.js";

let redis: RedisServer;
let s: Running;

beforeAll(async () => {
  redis = await RedisServer.start({ extraArgs: ["--maxmemory", "2mb", "--maxmemory-policy", "noeviction"] });
  s = await startServer({ redis: redis.url });
});
afterAll(async () => {
  await s?.http.close();
  await s?.engine.close();
  await redis?.cleanup();
});

describe("a full Redis through tinyqs-http", () => {
  it("a send is 507 FULL in tinyqs's words; the server keeps answering", async () => {
    const q = uniqueQueue("full");
    const body = Buffer.alloc(64 * 1024, 7);
    let res = { status: 201, body: undefined as any };
    for (let i = 0; i < 1000 && res.status === 201; i++) {
      res = await json(await fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", body }));
    }
    expect(res).toEqual({ status: 507, body: { error: { code: "FULL", message: "Redis is full (maxmemory reached): nothing was stored" } } });
    // reading takes no memory: the queue is still there, with what went in before
    const stats = await json(await fetch(`${s.url}/v1/queues/${q}`));
    expect(stats.status).toBe(200);
    expect(stats.body.ready).toBeGreaterThan(0);
  });
});
