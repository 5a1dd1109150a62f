// Idempotent sends (issue 11 item 3): a send with a dedupId that was sent within the queue's
// dedupWindowMs stores nothing and returns the first message's id, counted in stats.deduplicated.
// Atomic in the send script (concurrent sends coalesced into one call, or not, store one message),
// per queue, the dedup keys under the queue's hash tag (on Redis Cluster a key of another slot would
// fail the script with CROSSSLOT) and expiring by themselves.
import { afterAll, describe, expect, inject, it } from "vitest";
import { DEFAULTS, TinyQS } from "../src/index.js";
import { adminFor, eventually, expectCode, sleep, spreadQueue, uniqueQueue } from "@tinyqs/test-support";

const targets = [
  ["one Redis", () => inject("redisUrl") as string | { cluster: string[] }, () => uniqueQueue("dedup")],
  ["Redis Cluster", () => ({ cluster: inject("clusterNodes") }), () => spreadQueue("dedup")],
] as const;

describe.each(targets)("idempotent sends on %s", (_name, redis, queueName) => {
  const tq = new TinyQS({ redis: redis() });
  const admin = adminFor(typeof redis() === "string" ? { url: redis() as string } : { nodes: inject("clusterNodes") });
  afterAll(async () => {
    await tq.close();
    admin.disconnect();
  });

  it("a second send with the same dedupId returns the first id and stores nothing; stats count it", async () => {
    const q = queueName();
    const first = await tq.send(q, "once", { dedupId: "order-17" });
    expect(await tq.send(q, "once again", { dedupId: "order-17" })).toBe(first);
    const other = await tq.send(q, "another", { dedupId: "order-18" });
    expect(other).not.toBe(first);
    expect(await tq.stats(q)).toMatchObject({ ready: 2, sent: 2, deduplicated: 1 });
    expect((await tq.receive(q))?.body.toString()).toBe("once");
    // another queue has dedup ids of its own
    const q2 = queueName();
    expect(await tq.send(q2, "elsewhere", { dedupId: "order-17" })).not.toBe(first);
    expect((await tq.stats(q2)).sent).toBe(1);
  });

  it("concurrent sends with one dedupId (merged into one script call) store one message", async () => {
    const q = queueName();
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => tq.send(q, `copy ${i}`, { dedupId: "same" })));
    expect(new Set(ids).size).toBe(1);
    expect(await tq.stats(q)).toMatchObject({ ready: 1, sent: 1, deduplicated: 19 });
  });

  it("sendBatch: a dedupId per item (undefined: none), repeats inside the batch and across batches", async () => {
    const q = queueName();
    const a = await tq.sendBatch(q, ["a", "b", "c", "b again"], { dedupIds: ["A", undefined, "C", undefined] });
    const b = await tq.sendBatch(q, ["a2", "x", "x twice", "c2"], { dedupIds: ["A", "X", "X", "C"], delayMs: 60_000 });
    expect(b[0]).toBe(a[0]);
    expect(b[3]).toBe(a[2]);
    expect(b[2]).toBe(b[1]);
    expect(new Set([...a, b[1]]).size).toBe(5);
    expect(await tq.stats(q)).toMatchObject({ ready: 4, delayed: 1, sent: 5, deduplicated: 3 });
    await expectCode(() => tq.sendBatch(q, ["a"], { dedupIds: [] }), "BAD_ARGUMENT", "dedupIds of the wrong length");
  });

  it("a refused send (TOO_BIG) records nothing: the same dedupId then stores", async () => {
    const q = queueName();
    await tq.configure(q, { maxMessageBytes: 4 });
    await expectCode(() => tq.send(q, "too long", { dedupId: "big" }), "TOO_BIG", "a body over maxMessageBytes");
    const id = await tq.send(q, "fits", { dedupId: "big" });
    expect(await tq.send(q, "fits", { dedupId: "big" })).toBe(id);
    expect(await tq.stats(q)).toMatchObject({ sent: 1, deduplicated: 1 });
  });

  it("the window (dedupWindowMs) counts from the first send; after it, the id stores again; its keys expire by themselves", async () => {
    const q = queueName();
    expect((await tq.getConfig(q)).dedupWindowMs).toBe(DEFAULTS.dedupWindowMs);
    await tq.configure(q, { dedupWindowMs: 300 });
    const first = await tq.send(q, "1", { dedupId: "w" });
    const keys = [`tinyqs:{${q}}:dedup`, `tinyqs:{${q}}:dedup-expiry`];
    for (const key of keys) {
      const ttl = await admin.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(300);
    }
    await eventually(async () => (await admin.exists(...keys)) === 0, 5000);
    await sleep(20);
    const second = await tq.send(q, "2", { dedupId: "w" });
    expect(second).not.toBe(first);
    expect(await tq.stats(q)).toMatchObject({ sent: 2, deduplicated: 0 });
  });

  it("a bad dedupId is BAD_ARGUMENT and sends nothing", async () => {
    const q = queueName();
    for (const bad of ["", "has space", "x".repeat(129), "é"]) {
      await expectCode(() => tq.send(q, "x", { dedupId: bad }), "BAD_ARGUMENT", JSON.stringify(bad));
    }
    await expectCode(() => tq.configure(q, { dedupWindowMs: 0 }), "BAD_ARGUMENT", "dedupWindowMs 0");
    expect((await tq.stats(q)).sent).toBe(0);
  });
});
