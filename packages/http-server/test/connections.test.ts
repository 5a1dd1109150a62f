// Long polls and subscriptions wait through the engine's shared mechanism: however many requests
// and sockets are waiting, the server holds the same few Redis connections. Counted on a
// redis-server of this test's own, so nothing else connects to it meanwhile.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { RedisServer } from "@tinyqs/test-support";
import { createHttpServer, type TinyQSHttpServer } from "../src/index.js";
import { eventually, sleep } from "./helpers.js";
import { WsClient } from "./ws-client.js";

let redis: RedisServer;
let admin: Redis;
let http: TinyQSHttpServer;
let url: string;

beforeAll(async () => {
  redis = await RedisServer.start();
  admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  http = createHttpServer({ redis: redis.url, log: () => {} });
  url = (await http.listen(0)).url;
});
afterAll(async () => {
  await http.close();
  admin.disconnect();
  await redis.cleanup();
});

/** Connections to the Redis, not counting the admin one that asks. */
async function connections(): Promise<number> {
  const list = (await admin.client("LIST")) as string;
  return list.trim().split("\n").length - 1;
}

describe("Redis connections", () => {
  it("40 long polls and 20 subscribed sockets use no connection of their own", async () => {
    // warm up: one long poll, so the engine's command and subscriber connections exist
    await fetch(`${url}/v1/queues/warm/messages?waitMs=50`);
    const base = await connections();
    expect(base).toBeLessThanOrEqual(2);

    const polls = Array.from({ length: 40 }, (_, i) => fetch(`${url}/v1/queues/poll-${i % 8}/messages?waitMs=1500`));
    const sockets = await Promise.all(Array.from({ length: 20 }, () => WsClient.open(`${url.replace("http", "ws")}/v1/ws`)));
    await Promise.all(sockets.map((c, i) => c.request("subscribe", { queue: `sub-${i % 5}`, prefetch: 2 })));
    await sleep(300);
    expect(await connections()).toBe(base);

    // and they all still work: a send wakes one poll of queue poll-3, and one socket on sub-2
    await fetch(`${url}/v1/queues/poll-3/messages`, { method: "POST", body: "x" });
    await fetch(`${url}/v1/queues/sub-2/messages`, { method: "POST", body: "y" });
    await eventually(() => sockets.some((c) => c.messages("sub-2").length === 1));
    const answered = await Promise.all(polls.map((p) => p.then((r) => r.status)));
    expect(answered.filter((st) => st === 200)).toHaveLength(1);
    expect(await connections()).toBe(base);
    await Promise.all(sockets.map((c) => c.close()));
  });

  it("20 requests waiting for their replies and 20 collects use no connection of their own", async () => {
    await fetch(`${url}/v1/replies/warm:1-1?timeoutMs=50`);
    const base = await connections();
    const calls = Array.from({ length: 20 }, (_, i) => fetch(`${url}/v1/queues/rpc-${i % 4}/requests?timeoutMs=3000`, { method: "POST", body: `q${i}` }));
    const collects = Array.from({ length: 20 }, (_, i) => fetch(`${url}/v1/replies/rpc-${i % 4}:1-${i}?timeoutMs=1500`));
    await sleep(300);
    expect(await connections()).toBe(base);

    // and they still work: one request answered, its caller gets the reply
    const res = await fetch(`${url}/v1/queues/rpc-1/messages?waitMs=1000`);
    const body = await res.text();
    await fetch(`${url}/v1/queues/rpc-1/messages/${res.headers.get("tinyqs-receipt")}/respond`, { method: "POST", body: `re ${body}` });
    const answered = await Promise.all(calls.map((p) => p.then(async (r) => `${r.status} ${await r.text()}`)));
    expect(answered.filter((a) => a.startsWith("200"))).toEqual([`200 re ${body}`]);
    expect((await Promise.all(collects)).map((r) => r.status)).toEqual(Array(20).fill(204));
    expect(await connections()).toBe(base);
  });
});
