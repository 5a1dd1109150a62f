// A subscribe reads the queue's settings from Redis before it starts receiving. Whatever happens on
// the socket meanwhile — it closes, the client unsubscribes, or subscribes a second time — must win:
// no receive loop may start for a socket that is gone (it would reserve and give back messages for
// nobody, forever), or for a subscription the client already ended. To make those frames land while
// the settings are being read, Redis holds every command (CLIENT PAUSE … ALL, which then ends by
// itself) on a redis-server of this test's own, so the pause holds up no other test.
import type { Duplex } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { TinyQS } from "@tinyqs/core";
import { RedisServer } from "../../core/test/helpers/redis-server.js";
import { createHttpServer, type TinyQSHttpServer } from "../src/index.js";
import { eventually, sleep, uniqueQueue } from "./helpers.js";
import { WsClient } from "./ws-client.js";

const PAUSE_MS = 1000;

let redis: RedisServer;
let admin: Redis;
let engine: TinyQS;
let http: TinyQSHttpServer;
let url: string;
/** The server's ends of the WebSocket connections. */
const upgraded: Duplex[] = [];

beforeAll(async () => {
  redis = await RedisServer.start();
  admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  engine = new TinyQS({ redis: redis.url });
  http = createHttpServer({ redis: redis.url, log: () => {} });
  url = (await http.listen(0)).url;
  http.server.on("upgrade", (_req, socket: Duplex) => upgraded.push(socket));
});
afterAll(async () => {
  await http.close();
  await engine.close();
  admin.disconnect();
  await redis.cleanup();
});

/** A sample of the server's /metrics (0 when it has none yet). */
async function metric(sample: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${sample} `));
  return Number(line?.slice(sample.length + 1) ?? 0);
}
const receives = () => metric('tinyqs_operation_duration_seconds_count{operation="receiveBatch"}');
const configReads = () => metric('tinyqs_operation_duration_seconds_count{operation="getConfig"}');

/** A queue with one ready message, a socket, and Redis paused: the next subscribe waits for its settings. */
async function setUp(): Promise<{ q: string; c: WsClient; readsBefore: number; receivesBefore: number }> {
  const q = uniqueQueue("race");
  expect((await fetch(`${url}/v1/queues/${q}/messages`, { method: "POST", body: "for nobody" })).status).toBe(201);
  const c = await WsClient.open(`${url.replace(/^http/, "ws")}/v1/ws`);
  const readsBefore = await configReads();
  const receivesBefore = await receives();
  expect(await admin.client("PAUSE", PAUSE_MS, "ALL")).toBe("OK");
  return { q, c, readsBefore, receivesBefore };
}

describe("a subscribe still reading the queue's settings", () => {
  it("when the socket closes meanwhile, no subscription starts: the message stays ready, nothing is received", async () => {
    const { q, c, readsBefore, receivesBefore } = await setUp();
    const serverSide = upgraded.at(-1)!;
    c.sendRaw(JSON.stringify({ op: "subscribe", requestId: 1, queue: q, prefetch: 5 }));
    await sleep(100); // the server has read the frame and asked Redis for the settings
    await c.kill();
    await eventually(() => serverSide.destroyed); // the server has seen the socket go
    await eventually(async () => (await configReads()) > readsBefore, PAUSE_MS + 5000); // the pause is over, the settings read

    await sleep(300); // time enough for a receive loop, had one started, to go round many times
    expect(await receives()).toBe(receivesBefore);
    expect(await engine.stats(q)).toMatchObject({ ready: 1, inFlight: 0, received: 0 });
  });

  it("an unsubscribe meanwhile wins: the subscribe fails, no message is pushed or reserved", async () => {
    const { q, c, readsBefore, receivesBefore } = await setUp();
    const subscribed = c.request("subscribe", { queue: q, prefetch: 5 });
    const unsubscribed = await c.request("unsubscribe", { queue: q }); // needs no Redis: answers during the pause
    expect(unsubscribed).toMatchObject({ ok: true, queue: q, held: 0 });
    expect(await subscribed).toMatchObject({ ok: false, error: { code: "BAD_ARGUMENT", message: expect.stringContaining("unsubscribed") } });
    expect(await configReads()).toBeGreaterThan(readsBefore);

    await sleep(300);
    expect(c.messages(q)).toHaveLength(0);
    expect(await receives()).toBe(receivesBefore);
    expect(await engine.stats(q)).toMatchObject({ ready: 1, inFlight: 0 });
    // and subscribing again works
    expect(await c.request("subscribe", { queue: q, prefetch: 5 })).toMatchObject({ ok: true });
    await c.waitMessages(1, q);
    await c.close();
  });

  it("a second subscribe to the same queue meanwhile is refused; the first one pushes", async () => {
    const { q, c } = await setUp();
    const first = c.request("subscribe", { queue: q, prefetch: 5 });
    const second = c.request("subscribe", { queue: q, prefetch: 7 });
    expect(await second).toMatchObject({ ok: false, error: { code: "BAD_ARGUMENT", message: expect.stringContaining("already subscribed") } });
    expect(await first).toMatchObject({ ok: true, prefetch: 5 });
    const [m] = await c.waitMessages(1, q);
    expect(Buffer.from(m!.body, "base64").toString()).toBe("for nobody");
    await c.close();
  });
});
