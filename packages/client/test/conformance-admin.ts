// The operator's calls in the conformance suite (issue 14), written once against any TinyQSApi and
// run by describeConformance on the engine, the TCP client and the HTTP client: pause/resume,
// redrive, deleteQueue, and what stats and getConfig say of them; bad arguments alike on each.
import { describe, expect, it } from "vitest";
import type { TinyQSApi } from "@tinyqs/core";
import { trackedApis } from "./tracked-apis.js";
import { deadLettered, deadLetteredWithReceipts, expectCode, expectStaleReceipt, sleep, uniqueQueue } from "@tinyqs/test-support";

export function describeAdminConformance(label: string, makeApi: () => Promise<TinyQSApi>) {
  describe.concurrent(`queue operations on ${label}`, () => {
    const api = trackedApis(makeApi);

    it("pause: nothing delivered, a waiting receive keeps waiting, sends taken, peek shows; resume delivers to it", async () => {
      const tq = await api();
      const q = uniqueQueue("cpause");
      await tq.pause(q);
      const id = await tq.send(q, "x");
      expect(await tq.receive(q)).toBeNull();
      expect((await tq.peek(q))!.id).toBe(id);
      expect(await tq.stats(q)).toMatchObject({ ready: 1, paused: true, oldestReadyAgeMs: expect.any(Number) });
      expect((await tq.getConfig(q)).paused).toBe(true);
      expect(await tq.queues()).toContain(q);
      const waiting = tq.receive(q, { waitMs: 15_000 });
      await sleep(200);
      await tq.resume(q);
      expect((await waiting)!.id).toBe(id);
      expect(await tq.stats(q)).toMatchObject({ inFlight: 1, paused: false, oldestReadyAgeMs: null });
      await expectCode(() => tq.configure(q, { paused: true } as never), "BAD_ARGUMENT");
    });

    it("redrive: back where they died under their ids, or to `to`, at most max; counts", async () => {
      const tq = await api();
      const q = uniqueQueue("credrive");
      const other = uniqueQueue("credrive-to");
      const ids = await deadLettered(tq, q, 3);
      const browsed = await tq.browse(`${q}.dead`, { state: "ready" });
      expect(browsed.map((m) => m.deadLetterOf)).toEqual(ids.map((id) => ({ queue: q, id })));
      expect(await tq.redrive(`${q}.dead`, { to: other, max: 1 })).toBe(1);
      expect(await tq.redrive(`${q}.dead`)).toBe(2);
      expect(await tq.redrive(`${q}.dead`)).toBe(0);
      const back = await tq.receiveBatch(q, { max: 10 });
      expect(back.map((m) => [m.id, m.body.toString(), m.receiveCount])).toEqual([[ids[1], "m1", 1], [ids[2], "m2", 1]]);
      expect((await tq.receive(other))!.id).toBe(ids[0]);
    });

    it("redrive keeps fencing: a receipt from before the redrive is refused everywhere; the count starts again at 1", async () => {
      const tq = await api();
      const q = uniqueQueue("credrive-fence");
      const { id, receipts: stale } = await deadLetteredWithReceipts(tq, q, 1);
      await tq.configure(q, { visibilityMs: 60_000 });
      expect(await tq.redrive(`${q}.dead`)).toBe(1);
      const current = (await tq.receive(q))!;
      expect([current.id, current.receiveCount]).toEqual([id, 1]);
      expect(current.receipt).not.toBe(stale[0]);
      await expectStaleReceipt(tq, q, stale[0]!);
      expect((await tq.stats(q)).inFlight).toBe(1);
      expect(await tq.delete(q, current.receipt!)).toBe(true);
    });

    it("redrive's bad arguments: not a dead-letter queue, itself as target, bad names and max", async () => {
      const tq = await api();
      const q = uniqueQueue("credrive-bad");
      await tq.send(q, "plain");
      expect((await expectCode(() => tq.redrive(q), "BAD_ARGUMENT")).message).toMatch(/not a dead-letter queue/);
      await expectCode(() => tq.redrive(q, { to: q }), "BAD_ARGUMENT");
      await expectCode(() => tq.redrive(q, { to: "a b" }), "BAD_NAME");
      await expectCode(() => tq.redrive(q, { max: 0 }), "BAD_ARGUMENT");
      await expectCode(() => tq.redrive("a b"), "BAD_NAME");
      await expectCode(() => tq.redrive(uniqueQueue("credrive-none")), "NOT_FOUND");
      expect((await tq.stats(q)).ready).toBe(1);
    });

    it("deleteQueue: messages, settings and counters gone, not listed; a send makes it anew", async () => {
      const tq = await api();
      const q = uniqueQueue("cdel");
      await tq.sendBatch(q, ["a", "b"]);
      await tq.configure(q, { visibilityMs: 5000 });
      await tq.pause(q);
      await tq.deleteQueue(q);
      expect(await tq.queues()).not.toContain(q);
      expect(await tq.stats(q)).toMatchObject({ ready: 0, sent: 0, paused: false });
      expect((await tq.getConfig(q)).visibilityMs).toBe(30_000);
      await tq.deleteQueue(q); // nothing there: fine
      await tq.send(q, "anew");
      expect((await tq.receive(q))!.body.toString()).toBe("anew");
      await expectCode(() => tq.deleteQueue("a b"), "BAD_NAME");
    });
  });
}
