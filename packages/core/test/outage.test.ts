// Point 9 of issue 2: with Redis unreachable, operations fail with UNAVAILABLE within a bounded,
// configurable time (timeoutMs), and the same engine works again by itself once Redis is back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TinyQS } from "../src/index.js";
import { RedisServer, freePort, eventually, expectCode, timed, uniqueQueue } from "@tinyqs/test-support";

const TIMEOUT = 1000;
let server: RedisServer;
const engines: TinyQS[] = [];

beforeAll(async () => {
  server = await RedisServer.start();
});
afterAll(async () => {
  await Promise.all(engines.map((e) => e.close().catch(() => {})));
  await server?.cleanup();
});

async function unavailableWithin(op: () => Promise<unknown>, what: string) {
  const { ms } = await timed(expectCode(op, "UNAVAILABLE", what));
  expect(ms, `${what} took ${ms} ms`).toBeLessThan(3 * TIMEOUT);
}

describe("9. Redis unreachable", () => {
  it("operations reject with UNAVAILABLE in bounded time, and the engine recovers when Redis is back", async () => {
    const tq = new TinyQS({ redis: server.url, timeoutMs: TIMEOUT });
    engines.push(tq);
    const q = uniqueQueue("outage");
    await tq.send(q, "before");
    expect((await tq.receive(q))!.body.toString()).toBe("before");

    await server.stop();
    // every kind of operation, each on its own and all at once: each bounded
    await Promise.all([
      unavailableWithin(() => tq.send(q, "during"), "send"),
      unavailableWithin(() => tq.sendBatch(q, ["a", "b"]), "sendBatch"),
      unavailableWithin(() => tq.receive(q), "receive"),
      unavailableWithin(() => tq.receiveBatch(q, { max: 5 }), "receiveBatch"),
      unavailableWithin(() => tq.peek(q), "peek"),
      unavailableWithin(() => tq.stats(q), "stats"),
      unavailableWithin(() => tq.delete(q, "1-1"), "delete"),
      unavailableWithin(() => tq.configure(q, { visibilityMs: 1000 }), "configure"),
      ...Array.from({ length: 20 }, (_, i) => unavailableWithin(() => tq.send(q, `x${i}`), `send ${i}`)),
    ]);
    // and again, now that the engine knows Redis is away
    await unavailableWithin(() => tq.send(q, "still down"), "send");

    await server.restart();
    // the same engine, no help: it reconnects by itself
    const id = await eventually(() => tq.send(q, "after").catch(() => null), 10_000, 100);
    const m = await tq.receive(q);
    expect(m?.id).toBe(id);
    expect(m!.body.toString()).toBe("after");
    // long polling works again too
    const waiting = tq.receive(q, { waitMs: 5000 });
    await tq.send(q, "wake");
    expect((await waiting)?.body.toString()).toBe("wake");
  });

  it("a long-polling receive while Redis goes away ends (null or UNAVAILABLE) instead of hanging", async () => {
    const tq = new TinyQS({ redis: server.url, timeoutMs: TIMEOUT });
    engines.push(tq);
    const q = uniqueQueue("outage");
    await tq.stats(q); // connected
    const t0 = Date.now();
    const waiting = tq.receive(q, { waitMs: 1000 }).then(
      (v) => ({ v }),
      (e: { code?: string }) => ({ code: e.code }),
    );
    await new Promise((r) => setTimeout(r, 200));
    await server.kill();
    const r = await waiting;
    expect(Date.now() - t0).toBeLessThan(1000 + 3 * TIMEOUT);
    if ("v" in r) expect(r.v).toBeNull();
    else expect(r.code).toBe("UNAVAILABLE");
    await server.restart();
    await eventually(() => tq.stats(q).then(() => true, () => false), 10_000, 100);
  });

  it("request/response: UNAVAILABLE while Redis is down; a wait() that spans a restart gets the reply stored after it", async () => {
    const durable = await RedisServer.start({ appendonly: true }); // the request must survive the restart
    try {
      const caller = new TinyQS({ redis: durable.url, timeoutMs: TIMEOUT });
      const worker = new TinyQS({ redis: durable.url, timeoutMs: TIMEOUT });
      engines.push(caller, worker);
      const q = uniqueQueue("outage-rr");
      const handle = await caller.put(q, "question");
      const waiting = caller.wait(handle, { timeoutMs: 20_000 }).then(
        (v) => ({ v }),
        (e: { code?: string }) => ({ code: e.code }),
      );
      await new Promise((r) => setTimeout(r, 200)); // listening on the queue's replies

      await durable.stop();
      await Promise.all([
        unavailableWithin(() => caller.put(q, "during"), "put"),
        unavailableWithin(() => worker.take(q), "take"),
        unavailableWithin(() => worker.respond(q, "1-1.1", "x"), "respond"),
        unavailableWithin(() => caller.wait(`${q}:1-1`, { timeoutMs: 0 }), "wait"),
      ]);
      await durable.restart();

      // the worker answers once Redis is back; the caller's wait, begun before the outage, gets it
      const m = await eventually(() => worker.take(q).catch(() => null), 10_000, 100);
      expect(m!.body.toString()).toBe("question");
      expect(await worker.respond(q, m!.receipt!, "answer after the outage")).toBe(true);
      const r = await waiting;
      expect("v" in r && r.v?.toString()).toBe("answer after the outage");
    } finally {
      await durable.cleanup();
    }
  });

  it("an engine pointed at a port where nothing listens fails with UNAVAILABLE in bounded time", async () => {
    const port = await freePort();
    const tq = new TinyQS({ redis: `redis://127.0.0.1:${port}`, timeoutMs: TIMEOUT });
    const quick = new TinyQS({ redis: `redis://127.0.0.1:${port}`, timeoutMs: 200 });
    engines.push(tq, quick);
    await Promise.all([
      unavailableWithin(() => tq.send(uniqueQueue(), "nobody"), "send"),
      unavailableWithin(() => tq.receive(uniqueQueue(), { waitMs: 100 }), "receive"),
      // timeoutMs is the knob
      (async () => {
        const { ms } = await timed(expectCode(() => quick.stats(uniqueQueue()), "UNAVAILABLE", "stats (timeoutMs 200)"));
        expect(ms).toBeLessThan(3 * 200);
      })(),
    ]);
  });
});
