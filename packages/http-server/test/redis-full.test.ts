// Issue 18: a Redis at its maxmemory (noeviction) refuses writes; tinyqs-http answers them 507 with
// code FULL (core's error table), not 500 INTERNAL, and keeps serving: touch, release, delete and
// respond (which keep or end a lease), receive and purge all work while sends are refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TinyQS } from "@tinyqs/core";
import { RedisServer, fillMemory, freeMemory } from "@tinyqs/test-support";
import { json, startServer, uniqueQueue, type Running } from "./helpers.js";

let redis: RedisServer;
let s: Running;

beforeAll(async () => {
  redis = await RedisServer.start({ extraArgs: ["--maxmemory", "2mb", "--maxmemory-policy", "noeviction"] });
  s = await startServer({ redis: redis.url });
});
afterAll(async () => {
  await freeMemory(redis.port);
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

  it("touch, release, delete, respond, receive and purge work while a send is 507", async () => {
    const q = uniqueQueue("full-leases");
    // s.engine is on the global Redis: this one is on the full one, under the server's prefix
    const engine = new TinyQS({ redis: redis.url, prefix: s.prefix });
    for (const other of await engine.queues()) await engine.purge(other); // room after the test before
    await engine.sendBatch(q, ["touch", "release", "delete", "ready"]);
    const handle = await engine.put(q, "request");
    const [touch, release, del] = await engine.receiveBatch(q, { max: 3, visibilityMs: 60_000 });
    await fillMemory(redis.port);
    const base = `${s.url}/v1/queues/${q}/messages`;
    const post = (url: string, body?: string) => fetch(url, { method: "POST", body });
    // Redis gives memory back by itself (a connection's buffers shrink), so a send may still fit
    // just after the fill: fill again until one is refused, and count what went in meanwhile.
    const refusedWhenFull = async (body: string) => {
      for (let tries = 0; tries < 5; tries++) {
        const status = (await post(base, body)).status;
        if (status !== 201) return status;
        stored++;
        await fillMemory(redis.port);
      }
      return 201;
    };
    let stored = 0;
    expect(await refusedWhenFull("one more")).toBe(507);
    expect((await post(`${base}/${touch!.receipt}/touch?visibilityMs=120000`)).status).toBe(204);
    expect((await post(`${base}/${release!.receipt}/release?delayMs=60000`)).status).toBe(204);
    expect((await fetch(`${base}/${del!.receipt}`, { method: "DELETE" })).status).toBe(204);
    const received = await fetch(`${base}?visibilityMs=60000`);
    expect([received.status, await received.text()]).toEqual([200, "ready"]);
    const taken = await engine.take(q, { visibilityMs: 60_000 });
    expect(taken?.body.toString()).toBe("request");
    expect((await post(`${base}/${taken!.receipt}/respond`, "done")).status).toBe(204);
    const reply = await fetch(`${s.url}/v1/replies/${handle}?timeoutMs=0`);
    expect([reply.status, await reply.text()]).toEqual([200, "done"]);
    expect(await refusedWhenFull("still full")).toBe(507);
    expect(await json(await post(`${s.url}/v1/queues/${q}/purge`))).toEqual({ status: 200, body: { purged: 3 + stored } });
    await engine.close();
  });
});
