// The queue operations suite (queue-admin.ts) on one Redis and on a 3-master Redis Cluster.
import { describe, expect, inject, it } from "vitest";
import { TinyQS } from "../src/index.js";
import { adminFor, eventually, keySlot, sleep, slotThird, spreadQueue, uniqueQueue } from "@tinyqs/test-support";
import { describeQueueAdmin, lua } from "./queue-admin.js";

const redisUrl = inject("redisUrl");
const clusterNodes = inject("clusterNodes");

describeQueueAdmin("one Redis", {
  cluster: false,
  engine: (options) => new TinyQS({ redis: redisUrl, ...options }),
  admin: () => adminFor({ url: redisUrl }),
  queueName: (tag) => uniqueQueue(tag),
});

describeQueueAdmin("Redis Cluster (3 masters)", {
  cluster: true,
  engine: (options) => new TinyQS({ redis: { cluster: clusterNodes }, ...options }),
  admin: () => adminFor({ nodes: clusterNodes }),
  queueName: (tag) => spreadQueue(tag),
});

// On Cluster, a dead-letter queue, its source and a redrive target on three different masters: the
// hand-off crosses slots both ways, and a redrive cut after its first step is finished by the next.
describe("redrive across the masters of a Redis Cluster", () => {
  it("source, dead-letter queue and target on three masters: every letter once, where it belongs", async () => {
    const tq = new TinyQS({ redis: { cluster: clusterNodes } });
    const admin = adminFor({ nodes: clusterNodes });
    try {
      const [q, dlq, to] = [spreadQueue("x-src", 0), spreadQueue("x-dlq", 1), spreadQueue("x-to", 2)];
      expect(new Set([q, dlq, to].map((n) => slotThird(keySlot(n)))).size).toBe(3);
      await tq.configure(q, { maxReceives: 1, visibilityMs: 1, deadLetterQueue: dlq });
      const ids = await tq.sendBatch(q, Array.from({ length: 250 }, (_, i) => `b${i}`));
      await tq.receiveBatch(q, { max: 1000 });
      await sleep(5);
      await tq.receiveBatch(q, { max: 1000 });
      await eventually(async () => (await tq.stats(dlq)).ready === 250, 10_000);
      await tq.configure(q, { maxReceives: 0 });
      // The first step of a redrive only (a script in the DLQ's slot), then the engine "dies".
      const moved = (await admin.eval(lua("redrive"), 6, ...["ready", "bodies", "stats", "outbox", "outbox-bodies", "outbox-routes"].map((k) => `tinyqs:{${dlq}}:${k}`), 100, "")) as number[];
      expect(moved[0]).toBe(100);
      const again = new TinyQS({ redis: { cluster: clusterNodes } });
      try {
        expect(await again.redrive(dlq, { max: 150 })).toBe(150); // the 100 left in the outbox, then 50 more
        expect(await again.redrive(dlq, { to })).toBe(100);
      } finally {
        await again.close();
      }
      const back = await tq.receiveBatch(q, { max: 1000 });
      const moved2 = await tq.receiveBatch(to, { max: 1000 });
      // Expired leases come back in member order, not send order: compare as sets.
      expect(back).toHaveLength(150);
      expect(moved2).toHaveLength(100);
      expect([...back, ...moved2].map((m) => m.id).sort()).toEqual([...ids].sort());
      expect((await tq.stats(dlq)).ready).toBe(0);
      expect(await admin.llen(`tinyqs:{${dlq}}:outbox`)).toBe(0);
    } finally {
      await tq.close();
      admin.disconnect();
    }
  });
});
