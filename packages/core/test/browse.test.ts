// browse() on the engine: while receives take messages from under it (a page is one script, so it
// is a consistent snapshot: every message it shows is in the state it says, none twice), and on a
// 3-master Redis Cluster with queues spread over the masters. The per-state behaviour is in the
// conformance suite (client/test/conformance-browse.ts), which runs on the engine too.
import { afterAll, describe, expect, inject, it } from "vitest";
import { TinyQS } from "../src/index.js";
import { spreadQueue, uniqueQueue } from "@tinyqs/test-support";

const single = new TinyQS({ redis: inject("redisUrl") });
const cluster = new TinyQS({ redis: { cluster: inject("clusterNodes") } });
afterAll(() => Promise.all([single.close(), cluster.close()]));

describe("browse", () => {
  it("during concurrent receives: each page a snapshot, nothing shown twice, nothing reserved by looking", async () => {
    const q = uniqueQueue("brc");
    const n = 2000;
    for (let i = 0; i < n; i += 500) await single.sendBatch(q, Array.from({ length: 500 }, (_, k) => `m${i + k}`));
    const received = new Set<string>();
    let receiving = true;
    const receivers = Array.from({ length: 4 }, async () => {
      while (receiving) {
        const got = await single.receiveBatch(q, { max: 50, visibilityMs: 60_000 });
        if (got.length === 0) break;
        for (const m of got) received.add(m.id);
      }
    });
    for (let i = 0; i < 20; i++) {
      const [ready, inFlight] = await Promise.all([single.browse(q, { state: "ready", limit: 100 }), single.browse(q, { state: "inFlight", limit: 100 })]);
      for (const page of [ready, inFlight]) expect(new Set(page.map((m) => m.id)).size).toBe(page.length);
      for (const m of ready) expect(m.receiveCount).toBe(0);
      for (const m of inFlight) expect(m.receiveCount).toBe(1);
    }
    receiving = false;
    await Promise.all(receivers);
    const stats = await single.stats(q);
    expect(stats.received).toBe(received.size); // browsing delivered nothing
    expect(stats.ready + stats.inFlight).toBe(n);
  });

  it("on Redis Cluster, for queues on every master", async () => {
    for (let i = 0; i < 3; i++) {
      const q = spreadQueue("brx");
      const ids = await cluster.sendBatch(q, ["x", "y"]);
      await cluster.receive(q, { visibilityMs: 60_000 });
      expect((await cluster.browse(q, { state: "ready" })).map((m) => m.id)).toEqual([ids[1]]);
      expect((await cluster.browse(q, { state: "inFlight" })).map((m) => m.id)).toEqual([ids[0]]);
    }
  });
});
