// 16 concurrent receivers drain 5 000 messages: every message is delivered exactly once (issue 2,
// "Tests"), on one Redis and on the cluster.
import { afterEach, describe, expect, inject, it } from "vitest";
import { TinyQS, type TinyQSOptions } from "../src/index.js";
import { spreadQueue, uniqueQueue } from "@tinyqs/test-support";

const targets: [string, () => TinyQSOptions["redis"], () => string][] = [
  ["one Redis", () => inject("redisUrl"), () => uniqueQueue("drain")],
  ["Redis Cluster", () => ({ cluster: inject("clusterNodes") }), () => spreadQueue("drain")],
];

describe.each(targets)("exactly once on %s", (_label, redis, queueName) => {
  const engines: TinyQS[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()));
  });

  it("16 concurrent receivers (4 engines) draining 5 000 messages: each delivered exactly once", async () => {
    const N = 5000;
    const q = queueName();
    for (let i = 0; i < 4; i++) engines.push(new TinyQS({ redis: redis() }));
    const [sender] = engines;
    for (let i = 0; i < N; i += 1000) {
      await sender!.sendBatch(q, Array.from({ length: 1000 }, (_, k) => String(i + k)));
    }
    expect((await sender!.stats(q)).ready).toBe(N);

    const deliveries = new Map<string, number>();
    const bodies = new Set<string>();
    let dupes = 0;
    await Promise.all(
      Array.from({ length: 16 }, async (_, r) => {
        const e = engines[r % 4]!;
        for (;;) {
          const m = await e.receive(q, { visibilityMs: 120_000 });
          if (!m) return;
          const n = (deliveries.get(m.id) ?? 0) + 1;
          deliveries.set(m.id, n);
          if (n > 1 || m.receiveCount !== 1) dupes++;
          bodies.add(m.body.toString());
          if (!(await e.delete(q, m.receipt!))) dupes++;
        }
      }),
    );
    expect(dupes).toBe(0);
    expect(deliveries.size).toBe(N);
    expect(bodies.size).toBe(N);
    for (let i = 0; i < N; i++) expect(bodies.has(String(i))).toBe(true);
    expect(await sender!.stats(q)).toMatchObject({ ready: 0, inFlight: 0, delayed: 0, sent: N, received: N, deleted: N });
  });
});
