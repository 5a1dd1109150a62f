// A subscribe reads the queue's settings from Redis before it starts receiving. Whatever happens on
// the socket meanwhile — it closes, the client unsubscribes, or subscribes a second time — must win:
// no receive loop may start for a socket that is gone (it would reserve and give back messages for
// nobody, forever), or for a subscription the client already ended. To make those frames land while
// the settings are being read, and not merely probably, the server reaches Redis through a TCP proxy
// (core's test helpers) that can hold Redis's answers: the test sees the read of the settings go out,
// does what races with it, and only then lets the answer through.
import type { Duplex } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { TinyQS } from "@tinyqs/core";
import { proxy, type Proxy } from "@tinyqs/test-support";
import { createHttpServer, type TinyQSHttpServer } from "../src/index.js";
import { eventually, metric, sleep, uniqueQueue } from "./helpers.js";
import { WsClient } from "./ws-client.js";

/** A key prefix of this file's own: the server's /metrics lists only these queues. */
const prefix = uniqueQueue("race");
let px: Proxy;
/** The server's engine, through the proxy. */
let served: TinyQS;
/** Straight to Redis: to look behind the server's back (and never held up by the proxy). */
let engine: TinyQS;
let http: TinyQSHttpServer;
let url: string;
/** For each WebSocket connection: resolves once the server has closed its session. */
const sessionsClosed: Array<Promise<void>> = [];

beforeAll(async () => {
  const redis = inject("redisUrl");
  px = await proxy(Number(new URL(redis).port));
  // A command timeout far longer than any hold: a held read must end with its answer, not with
  // UNAVAILABLE (a subscribe failing there would never reach the checks this file is about).
  served = new TinyQS({ redis: `redis://127.0.0.1:${px.port}`, prefix, timeoutMs: 60_000 });
  engine = new TinyQS({ redis, prefix });
  http = createHttpServer({ engine: served, log: () => {} });
  url = (await http.listen(0, "127.0.0.1")).url;
  http.server.on("upgrade", (_req, socket: Duplex) => {
    // The server's own upgrade listener came first and has set the WebSocket up on this socket, so
    // ws's handler of the socket's 'close' runs before this one; it ends ws's frame reader, whose
    // 'finish' (next tick) makes ws emit 'close', on which the server closes the session. Everything
    // queued with nextTick runs before setImmediate: by then the session is closed.
    sessionsClosed.push(new Promise((resolve) => socket.once("close", () => setImmediate(resolve))));
  });
});
// A test that failed while holding must not leave the server without Redis for the next one.
afterEach(() => px.flush());
afterAll(async () => {
  await http.close();
  await served.close();
  await engine.close();
  await px.close();
});

/** Receives the server finished, whatever their outcome. */
const receives = () => metric(url, "tinyqs_operations_total", { operation: "receiveBatch" });
/** Reads of a queue's settings the server finished with the settings in hand. */
const configReads = () => metric(url, "tinyqs_operations_total", { operation: "getConfig", outcome: "ok" });

/** A queue with one ready message, and a socket to the server (its session's close to wait for). */
async function setUp() {
  const q = uniqueQueue("race");
  expect((await fetch(`${url}/v1/queues/${q}/messages`, { method: "POST", body: "for nobody" })).status).toBe(201);
  const c = await WsClient.open(`${url.replace(/^http/, "ws")}/v1/ws`);
  const sessionClosed = sessionsClosed.at(-1)!;
  // Read before holding: a /metrics scrape asks Redis for the queues' depths.
  const readsBefore = await configReads();
  const receivesBefore = await receives();
  return { q, c, sessionClosed, readsBefore, receivesBefore };
}

/**
 * Hold Redis's answers to the server from now on (until px.flush()). The returned wait resolves once
 * the server has asked Redis for the settings of queue `q` (HGETALL <prefix>:{q}:config): a
 * subscribe to `q` is then reading them, and stays there until the flush.
 */
function holdRedis(q: string): () => Promise<unknown> {
  const from = px.sent.length;
  const key = `${prefix}:{${q}}:config`;
  const read = new RegExp(`hgetall\\r\\n\\$${Buffer.byteLength(key)}\\r\\n${key.replace(/[{}.*+?^$()|[\]\\]/g, "\\$&")}\\r\\n`, "i");
  px.hold();
  return () => eventually(() => read.test(px.sent.slice(from)));
}

describe("a subscribe still reading the queue's settings", () => {
  it("when the socket closes meanwhile, no subscription starts: the message stays ready, nothing is received", async () => {
    const { q, c, sessionClosed, readsBefore, receivesBefore } = await setUp();
    const settingsRead = holdRedis(q);
    c.sendRaw(JSON.stringify({ op: "subscribe", requestId: 1, queue: q, prefetch: 5 }));
    await settingsRead(); // the server has read the frame and is waiting for the settings
    await c.kill();
    await sessionClosed; // the server has seen the socket go and closed its session
    px.flush();
    await eventually(async () => (await configReads()) > readsBefore); // the settings reached the subscribe

    await sleep(300); // time enough for a receive loop, had one started, to go round many times
    expect(await receives()).toBe(receivesBefore);
    expect(await engine.stats(q)).toMatchObject({ ready: 1, inFlight: 0, received: 0 });
  });

  it("an unsubscribe meanwhile wins: the subscribe fails, no message is pushed or reserved", async () => {
    const { q, c, readsBefore, receivesBefore } = await setUp();
    const settingsRead = holdRedis(q);
    let subscribeAnswered = false;
    const subscribed = c.request("subscribe", { queue: q, prefetch: 5 }).finally(() => (subscribeAnswered = true));
    await settingsRead();
    const unsubscribed = await c.request("unsubscribe", { queue: q }); // needs no Redis: answered while Redis's answers are held
    expect(unsubscribed).toMatchObject({ ok: true, queue: q, held: 0 });
    expect(subscribeAnswered).toBe(false); // the unsubscribe did land while the subscribe was reading
    px.flush();
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
    const settingsRead = holdRedis(q);
    const first = c.request("subscribe", { queue: q, prefetch: 5 });
    await settingsRead();
    const second = await c.request("subscribe", { queue: q, prefetch: 7 }); // refused without asking Redis
    expect(second).toMatchObject({ ok: false, error: { code: "BAD_ARGUMENT", message: expect.stringContaining("already subscribed") } });
    px.flush();
    expect(await first).toMatchObject({ ok: true, prefetch: 5 });
    const [m] = await c.waitMessages(1, q);
    expect(Buffer.from(m!.body, "base64").toString()).toBe("for nobody");
    await c.close();
  });
});
