// The forms `redis` may take in `new TinyQS({ redis })`, and what close() does.
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { Redis } from "ioredis";
import { TinyQS } from "../src/index.js";
import { expectCode, timed, uniqueQueue } from "@tinyqs/test-support";

const redisUrl = inject("redisUrl");
const port = Number(new URL(redisUrl).port);

async function roundTrip(tq: TinyQS) {
  const q = uniqueQueue("conn");
  const id = await tq.send(q, "ping");
  const m = await tq.receive(q);
  expect(m?.id).toBe(id);
  expect(await tq.delete(q, m!.receipt!)).toBe(true);
}

const engines: TinyQS[] = [];
const track = (e: TinyQS) => (engines.push(e), e);

describe("new TinyQS({ redis })", () => {
  let own: Redis;
  beforeAll(() => {
    own = new Redis(redisUrl);
  });
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()));
  });
  afterAll(() => own.disconnect());

  it("takes a redis:// URL", async () => {
    const tq = track(new TinyQS({ redis: redisUrl }));
    await roundTrip(tq);
    await tq.close();
  });

  it("takes ioredis options", async () => {
    const tq = track(new TinyQS({ redis: { host: "127.0.0.1", port } }));
    await roundTrip(tq);
    await tq.close();
  });

  it("takes an ioredis Redis instance and leaves it open on close()", async () => {
    const tq = track(new TinyQS({ redis: own }));
    await roundTrip(tq);
    await tq.close();
    expect(await own.ping()).toBe("PONG");
  });

  it("close() ends pending long polls at once, empty", async () => {
    const tq = track(new TinyQS({ redis: redisUrl }));
    const q = uniqueQueue("close");
    await tq.stats(q);
    const pending = Promise.all([
      timed(tq.receive(q, { waitMs: 10_000 })),
      timed(tq.receiveBatch(q, { max: 5, waitMs: 10_000 })),
      timed(tq.peek(q, { waitMs: 10_000 })),
    ]);
    await new Promise((r) => setTimeout(r, 100));
    await tq.close();
    const [r, rb, p] = await pending;
    expect(r.value).toBeNull();
    expect(rb.value).toEqual([]);
    expect(p.value).toBeNull();
    for (const x of [r, rb, p]) expect(x.ms).toBeLessThan(100 + 1000);
    await expectCode(() => tq.stats(q), "CLOSED", "stats after close");
  });
});
