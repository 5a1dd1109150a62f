// The batch acknowledgements of the conformance suite (deleteBatch, touchBatch), written once against
// any TinyQSApi and run by describeConformance on the engine and the clients, and on the HTTP
// client's WebSocket source (its batches go over the socket once it is subscribed). Partial failure
// is per item: each result is its own item's, in order; only a list over 1000 fails as a whole.
import { describe, expect, it } from "vitest";
import type { Message, TinyQSApi } from "@tinyqs/core";
import { trackedApis } from "./tracked-apis.js";
import { expectCode, sleep, uniqueQueue } from "@tinyqs/test-support";

/** Receive exactly `n` messages (a push-based source may hand them out over several calls). */
async function receiveAll(tq: TinyQSApi, q: string, n: number, visibilityMs: number): Promise<Message[]> {
  const got: Message[] = [];
  const deadline = Date.now() + 10_000;
  while (got.length < n && Date.now() < deadline) got.push(...(await tq.receiveBatch(q, { max: n - got.length, waitMs: 2000, visibilityMs })));
  expect(got).toHaveLength(n);
  return got;
}

export function describeBatchConformance(label: string, makeApi: () => Promise<TinyQSApi>) {
  describe.concurrent(`batch acknowledgements on ${label}`, () => {
    const api = trackedApis(makeApi);

    it("touchBatch and deleteBatch answer per item, in order; bad items fail alone", async () => {
      const tq = await api();
      const q = uniqueQueue("ab");
      const ids = await tq.sendBatch(q, ["a", "b", "c"]);
      const [m0, m1, m2] = (await receiveAll(tq, q, 3, 60_000)).sort((x, y) => ids.indexOf(x.id) - ids.indexOf(y.id));
      expect([m0!.id, m1!.id, m2!.id]).toEqual(ids);

      const touched = await tq.touchBatch(q, [m0!.receipt!, `${m0!.id}.7`, m1!.receipt!, "", "x".repeat(300)], { visibilityMs: 120_000 });
      expect(touched).toEqual([true, false, true, false, false]);

      // The same receipt twice: deleted once. An id deletes in any state. Unknown ids change nothing.
      const deleted = await tq.deleteBatch(q, [m0!.receipt!, m0!.receipt!, "1-1", m2!.id, m1!.receipt!, 5 as never]);
      expect(deleted).toEqual([true, false, false, true, true, false]);
      expect(await tq.stats(q)).toMatchObject({ ready: 0, inFlight: 0, delayed: 0, deleted: 3 });
      expect(await tq.deleteBatch(q, [])).toEqual([]);
      expect(await tq.touchBatch(q, [])).toEqual([]);
    });

    it("a receipt whose lease ran out is stale in a batch too", async () => {
      const tq = await api();
      const q = uniqueQueue("ab");
      await tq.sendBatch(q, ["a", "b"]);
      const [short, long] = await receiveAll(tq, q, 2, 60_000);
      expect(await tq.touchBatch(q, [short!.receipt!], { visibilityMs: 100 })).toEqual([true]);
      await sleep(250);
      expect(await tq.touchBatch(q, [short!.receipt!, long!.receipt!])).toEqual([false, true]);
      expect(await tq.deleteBatch(q, [short!.receipt!, long!.receipt!])).toEqual([false, true]);
    });

    it("over 1000 items: BAD_ARGUMENT and nothing done; a bad queue name: BAD_NAME", async () => {
      const tq = await api();
      const q = uniqueQueue("ab");
      await tq.send(q, "kept");
      const [m] = await receiveAll(tq, q, 1, 60_000);
      const many = [m!.receipt!, ...Array.from({ length: 1000 }, (_, i) => `1-${i}.1`)];
      await expectCode(() => tq.deleteBatch(q, many), "BAD_ARGUMENT", "deleteBatch of 1001");
      await expectCode(() => tq.touchBatch(q, many), "BAD_ARGUMENT", "touchBatch of 1001");
      await expectCode(() => tq.deleteBatch(q, "nope" as never), "BAD_ARGUMENT", "deleteBatch of a string");
      await expectCode(() => tq.deleteBatch("bad name", [m!.receipt!]), "BAD_NAME", "deleteBatch on a bad name");
      await expectCode(() => tq.touchBatch(q, [m!.receipt!], { visibilityMs: 0 }), "BAD_ARGUMENT", "touchBatch visibilityMs 0");
      expect(await tq.stats(q)).toMatchObject({ inFlight: 1, deleted: 0 });
      expect(await tq.deleteBatch(q, [m!.receipt!])).toEqual([true]);
    });
  });
}
