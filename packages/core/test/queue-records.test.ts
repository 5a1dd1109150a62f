// The engine features the SQS port stands on (issue 15): message attributes kept beside the body
// (and the body unchanged for everyone), queue records, first-receive times and deleting a queue,
// on one Redis and on the cluster.
import { afterEach, describe, expect, inject, it } from "vitest";
import { TinyQS, type TinyQSOptions } from "../src/index.js";
import { spreadQueue, uniqueQueue } from "@tinyqs/test-support";

const targets: [string, () => TinyQSOptions["redis"], () => string][] = [
  ["one Redis", () => inject("redisUrl"), () => uniqueQueue("records")],
  ["Redis Cluster", () => ({ cluster: inject("clusterNodes") }), () => spreadQueue("records")],
];

describe.each(targets)("queue records on %s", (_label, redis, queueName) => {
  let engine: TinyQS;
  afterEach(async () => {
    await engine?.close();
  });

  it("attributes travel beside the body, through the dead-letter queue too; the body stays byte-exact", async () => {
    engine = new TinyQS({ redis: redis() });
    const q = queueName();
    const magic = Buffer.from([0x00, 0x74, 0x71, 0x61, 0x01, 0x02]); // begins like a framed value
    const baseLike = Buffer.from([0x00, 0x74, 0x71, 0x62, 0x00, 0x00, 0x00, 0x05, 0x41]); // like a redriven message's base frame
    await engine.send(q, "plain");
    await engine.send(q, "with", { attributes: { a: "1", "b.c": "two" } });
    await engine.send(q, magic);
    await engine.send(q, baseLike);
    const got = await engine.receiveBatch(q, { max: 4 });
    expect(got.map((m) => m.body)).toEqual([Buffer.from("plain"), Buffer.from("with"), magic, baseLike]);
    expect(got.map((m) => m.attributes)).toEqual([undefined, { a: "1", "b.c": "two" }, undefined, undefined]);
    expect(got.map((m) => m.receiveCount)).toEqual([1, 1, 1, 1]);

    await engine.configure(q, { maxReceives: 1 });
    await engine.send(q, "doomed", { attributes: { why: "dead-lettered" } });
    const first = await engine.receive(q, { visibilityMs: 1 });
    expect(first?.attributes).toEqual({ why: "dead-lettered" });
    let dead = null;
    for (let i = 0; i < 200 && !dead; i++) {
      await engine.receive(q); // dead-letters it once its 1 ms lease is over
      dead = await engine.receive(`${q}.dead`);
    }
    expect(dead?.body.toString()).toBe("doomed");
    expect(dead?.attributes).toEqual({ why: "dead-lettered" });
    await expect(engine.send(q, "x", { attributes: { a: 1 as unknown as string } })).rejects.toMatchObject({ code: "BAD_ARGUMENT" });
  });

  it("records, first-receive times and deleteQueue", async () => {
    engine = new TinyQS({ redis: redis() });
    const q = queueName();
    expect(await engine.queueExists(q)).toBe(false);
    await engine.setQueueMeta(q, { created: "1" });
    await engine.setQueueMeta(q, { created: "2", other: "x" }, { onlyNew: true });
    expect(await engine.queueMeta(q)).toEqual({ created: "1", other: "x" });
    expect(await engine.queueExists(q)).toBe(true);
    await engine.deleteQueueMeta(q, ["other"]);
    expect(await engine.queueMeta(q)).toEqual({ created: "1" });

    const id = await engine.send(q, "m");
    const [t1] = await engine.firstReceived(q, [id]);
    const [t2] = await engine.firstReceived(q, [id]);
    expect(t1).toBeGreaterThan(0);
    expect(t2).toBe(t1);

    await engine.deleteQueue(q);
    expect(await engine.queueExists(q)).toBe(false);
    expect(await engine.queues()).not.toContain(q);
    expect(await engine.queueMeta(q)).toEqual({});
    expect(await engine.stats(q)).toMatchObject({ ready: 0, sent: 0 });
    await engine.send(q, "again"); // a queue exists once used
    expect(await engine.queues()).toContain(q);
  });
});
