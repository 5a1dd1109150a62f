// The idempotent-send part of the conformance suite (issue 11 item 3), written once against any
// TinyQSApi and run by describeConformance on the engine, the TCP client and the HTTP client: a
// send's dedupId, sendBatch's dedupIds (with and without a delay), the queue's dedupWindowMs, the
// deduplicated counter, and the same BAD_ARGUMENT for a bad id everywhere.
import { describe, expect, it } from "vitest";
import type { TinyQSApi } from "@tinyqs/core";
import { expectCode, uniqueQueue } from "@tinyqs/test-support";

export function describeDedupConformance(label: string, api: () => Promise<TinyQSApi>) {
  describe.concurrent(`idempotent sends on ${label}`, () => {
    it("send with a dedupId: a repeat answers the first id and stores nothing", async () => {
      const tq = await api();
      const q = uniqueQueue("dd");
      const first = await tq.send(q, "a", { dedupId: "k-1" });
      expect(await tq.send(q, "a again", { dedupId: "k-1", delayMs: 5000 })).toBe(first);
      expect(await tq.send(q, "b", { dedupId: "k-2" })).not.toBe(first);
      expect(await tq.stats(q)).toMatchObject({ ready: 2, delayed: 0, sent: 2, deduplicated: 1 });
      expect((await tq.receive(q))?.body.toString()).toBe("a");
    });

    it("sendBatch with dedupIds, with and without a delay; repeats inside and across batches", async () => {
      const tq = await api();
      const q = uniqueQueue("dd");
      const a = await tq.sendBatch(q, ["a", "b", "a twice"], { dedupIds: ["A", undefined, "A"] });
      expect(a[2]).toBe(a[0]);
      const b = await tq.sendBatch(q, ["c", "a"], { dedupIds: ["C", "A"], delayMs: 60_000 });
      expect(b[1]).toBe(a[0]);
      expect(new Set([...a, ...b]).size).toBe(3);
      expect(await tq.stats(q)).toMatchObject({ ready: 2, delayed: 1, sent: 3, deduplicated: 2 });
    });

    it("dedupWindowMs is a queue setting (default 300 000); bad ids and windows are BAD_ARGUMENT, nothing sent", async () => {
      const tq = await api();
      const q = uniqueQueue("dd");
      expect((await tq.getConfig(q)).dedupWindowMs).toBe(300_000);
      expect((await tq.configure(q, { dedupWindowMs: 1000 })).dedupWindowMs).toBe(1000);
      const bad = await expectCode(() => tq.send(q, "x", { dedupId: "no spaces please" }), "BAD_ARGUMENT", "a dedupId with spaces");
      expect(bad.message).toBe('a dedupId is 1-128 printable ASCII characters without spaces, got "no spaces please"');
      await expectCode(() => tq.sendBatch(q, ["x"], { dedupIds: ["ok", "two"] }), "BAD_ARGUMENT", "dedupIds longer than the bodies");
      await expectCode(() => tq.configure(q, { dedupWindowMs: 0 }), "BAD_ARGUMENT", "dedupWindowMs 0");
      expect((await tq.stats(q)).sent).toBe(0);
    });
  });
}
