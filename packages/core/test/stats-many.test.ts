// statsMany: the stats of many queues (and the queue list) in one pipeline, per master on a Cluster —
// what the dashboard samples each second. It must agree with stats() queue by queue.
import { afterAll, describe, expect, inject, it } from "vitest";
import { TinyQS } from "../src/index.js";
import { spreadQueue, uniqueQueue } from "@tinyqs/test-support";

const targets: Array<[string, () => TinyQS, (i: number) => string]> = [
  ["one Redis", () => new TinyQS({ redis: inject("redisUrl") }), () => uniqueQueue("many")],
  ["a 3-master Cluster", () => new TinyQS({ redis: { cluster: inject("clusterNodes") } }), (i) => spreadQueue("many", i % 3)],
];

describe.each(targets)("statsMany on %s", (_label, make, name) => {
  const tq = make();
  afterAll(() => tq.close());

  it("answers what stats() answers for each queue, in order, with the queue list when asked", async () => {
    const queues = [0, 1, 2, 3, 4, 5].map(name);
    for (const [i, q] of queues.entries()) {
      await tq.sendBatch(q, Array.from({ length: i + 1 }, (_, j) => `m${j}`));
      if (i % 2) await tq.receive(q);
      await tq.send(q, "later", { delayMs: 60_000 });
    }
    const { stats, queues: listed } = await tq.statsMany(queues, { listQueues: true });
    const after = await Promise.all(queues.map((q) => tq.stats(q)));
    // The same numbers; the age of the oldest ready message only grows between the two reads.
    const timeless = ({ oldestReadyAgeMs: _, ...rest }: (typeof stats)[number]) => rest;
    expect(stats.map(timeless)).toEqual(after.map(timeless));
    stats.forEach((st, i) => expect(st.oldestReadyAgeMs!).toBeLessThanOrEqual(after[i]!.oldestReadyAgeMs!));
    expect(stats[3]).toMatchObject({ ready: 3, inFlight: 1, delayed: 1, sent: 5, received: 1 });
    expect(listed).toEqual(expect.arrayContaining(queues));
    expect([...listed!].sort()).toEqual(listed);
  });

  it("without listQueues answers the stats only; no queues: an empty list", async () => {
    expect(await tq.statsMany([])).toEqual({ stats: [] });
    const q = name(7);
    expect(await tq.statsMany([q])).toEqual({ stats: [await tq.stats(q)] }); // never used: no ready message, no age
  });
});
