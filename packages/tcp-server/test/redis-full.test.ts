// Issue 18: a Redis at its maxmemory (noeviction) refuses writes; tinyqs-tcp answers them
// `-FULL <message>` (core's error table), not `-INTERNAL … a bug`, and stays up for what still works.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TinyQS } from "@tinyqs/core";
import { RedisServer } from "@tinyqs/test-support";
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
});
