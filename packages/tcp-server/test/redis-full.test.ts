// Issue 18: a Redis at its maxmemory (noeviction) refuses writes; tinyqs-tcp answers them
// `-FULL <message>` (core's error table), not `-INTERNAL … a bug`, and stays up for what still works:
// every command that keeps or ends a lease (TOUCH, RELEASE, DELETE, RESPOND), RECEIVE and PURGE.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TinyQS } from "@tinyqs/core";
import { RedisServer, fillMemory, freeMemory } from "@tinyqs/test-support";
import { RawClient, req, startServer, uniqueQueue, type Running } from "./helpers.js";

let redis: RedisServer;
let running: Running;
let engine: TinyQS;

beforeAll(async () => {
  redis = await RedisServer.start({ extraArgs: ["--maxmemory", "2mb", "--maxmemory-policy", "noeviction"] });
  running = await startServer({ redis: redis.url });
  engine = new TinyQS({ redis: redis.url });
});
afterAll(async () => {
  await freeMemory(redis.port);
  await running?.server.close();
  await engine?.close();
  await redis?.cleanup();
});

describe("a full Redis through tinyqs-tcp", () => {
  it("SEND is answered -FULL in tinyqs's words; the connection and the server stay up", async () => {
    const q = uniqueQueue("full");
    const body = "x".repeat(64 * 1024);
    const c = await RawClient.connect(running.port);
    let reply = "";
    for (let i = 0; i < 1000 && !reply.startsWith("-"); i++) reply = await c.call(req("SEND", q, body));
    expect(reply).toBe("-FULL Redis is full (maxmemory reached): nothing was stored\r\n");
    // what takes no memory still works on the same connection
    expect(await c.call(req("PING"))).toBe("+PONG\r\n");
    const stored = await engine.stats(q);
    expect(stored.ready).toBeGreaterThan(0);
    expect(await c.call(req("SEND", q, body))).toMatch(/^-FULL /);
    c.socket.destroy();
  });

  it("TOUCH, RELEASE, DELETE, RESPOND, RECEIVE and PURGE work while SEND is -FULL", async () => {
    const q = uniqueQueue("full-leases");
    for (const other of await engine.queues()) await engine.purge(other); // room after the test before
    await engine.sendBatch(q, ["touch", "release", "delete", "ready"]);
    const handle = await engine.put(q, "request");
    const [touch, release, del] = await engine.receiveBatch(q, { max: 3, visibilityMs: 60_000 });
    await fillMemory(redis.port);
    const c = await RawClient.connect(running.port);
    expect(await c.call(req("SEND", q, "one more"))).toMatch(/^-FULL /);
    expect(await c.call(req("TOUCH", q, touch!.receipt!, "VISIBILITY", "120000"))).toBe(":1\r\n");
    expect(await c.call(req("RELEASE", q, release!.receipt!, "DELAY", "60000"))).toBe(":1\r\n");
    expect(await c.call(req("DELETE", q, del!.receipt!))).toBe(":1\r\n");
    // RECEIVE: the oldest ready one, then the request; RESPOND answers it
    expect(await c.call(req("RECEIVE", q, "VISIBILITY", "60000"))).toContain("\r\nready\r\n");
    const taken = await engine.take(q, { visibilityMs: 60_000 });
    expect(taken?.body.toString()).toBe("request");
    expect(await c.call(req("RESPOND", q, taken!.receipt!, "done"))).toBe(":1\r\n");
    expect(await c.call(req("WAIT", handle, "TIMEOUT", "0"))).toBe("$4\r\ndone\r\n");
    expect(await c.call(req("SEND", q, "still full"))).toMatch(/^-FULL /);
    expect(await c.call(req("PURGE", q))).toBe(":3\r\n"); // touched, released (delayed), received
    c.socket.destroy();
  });
});
