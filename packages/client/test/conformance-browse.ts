// browse() in the conformance suite, written once against any TinyQSApi and run by
// describeConformance on the engine, the TCP client and the HTTP client: each state oldest first,
// paging, body previews, bad arguments, and that looking changes nothing.
import { describe, expect, it } from "vitest";
import type { TinyQSApi } from "@tinyqs/core";
import { trackedApis } from "./tracked-apis.js";
import { expectCode, uniqueQueue } from "@tinyqs/test-support";

export function describeBrowseConformance(label: string, makeApi: () => Promise<TinyQSApi>) {
  describe.concurrent(`browse on ${label}`, () => {
    const api = trackedApis(makeApi);

    it("shows each state as it is, oldest first, and changes nothing", async () => {
      const tq = await api();
      const q = uniqueQueue("br");
      const [a, b] = await tq.sendBatch(q, ["a", "bb"]);
      const c = await tq.send(q, "ccc", { delayMs: 60_000 });
      const before = Date.now();
      const taken = (await tq.receive(q, { visibilityMs: 60_000 }))!;
      expect(taken.id).toBe(a);
      const stats = await tq.stats(q);

      const ready = await tq.browse(q, { state: "ready" });
      expect(ready).toEqual([{ queue: q, id: b, state: "ready", body: Buffer.from("bb"), size: 2, receiveCount: 0, sentAt: Number(b!.split("-")[0]) }]);
      const inFlight = await tq.browse(q, { state: "inFlight" });
      expect(inFlight).toMatchObject([{ queue: q, id: a, state: "inFlight", size: 1, receiveCount: 1 }]);
      expect(inFlight[0]!.body.toString()).toBe("a");
      expect(inFlight[0]!.leaseEndsAt).toBeGreaterThanOrEqual(before + 55_000);
      expect(inFlight[0]!).not.toHaveProperty("receipt");
      const delayed = await tq.browse(q, { state: "delayed" });
      expect(delayed).toMatchObject([{ id: c, state: "delayed", size: 3, receiveCount: 0 }]);
      expect(delayed[0]!.dueAt).toBeGreaterThanOrEqual(before + 55_000);

      // Nothing moved (oldestReadyAgeMs is a clock: it grows by itself).
      expect({ ...(await tq.stats(q)), oldestReadyAgeMs: 0 }).toEqual({ ...stats, oldestReadyAgeMs: 0 });
      expect(await tq.receive(q)).toMatchObject({ id: b, receiveCount: 1 });
    });

    it("pages with offset and limit, cuts bodies at bodyBytes, and is empty beyond the end", async () => {
      const tq = await api();
      const q = uniqueQueue("br");
      const ids = await tq.sendBatch(q, ["m0", "m1", "m2", "m3", Buffer.alloc(1000, 7)]);
      expect((await tq.browse(q, { state: "ready", offset: 1, limit: 2 })).map((m) => m.id)).toEqual(ids.slice(1, 3));
      const [big] = await tq.browse(q, { state: "ready", offset: 4, bodyBytes: 10 });
      expect(big).toMatchObject({ id: ids[4], size: 1000 });
      expect(big!.body.equals(Buffer.alloc(10, 7))).toBe(true);
      expect(await tq.browse(q, { state: "ready", offset: 5 })).toEqual([]);
      expect(await tq.browse(q, { state: "delayed" })).toEqual([]);
      expect(await tq.browse(uniqueQueue("br-none"), { state: "inFlight" })).toEqual([]);
    });

    it("refuses a bad state, a limit over 100 and a bad queue name", async () => {
      const tq = await api();
      const q = uniqueQueue("br");
      await expectCode(() => tq.browse(q, { state: "gone" as never }), "BAD_ARGUMENT", "browse of state gone");
      await expectCode(() => tq.browse(q, { state: "ready", limit: 101 }), "BAD_ARGUMENT", "browse of 101");
      await expectCode(() => tq.browse(q, { state: "ready", limit: 0 }), "BAD_ARGUMENT", "browse of 0");
      await expectCode(() => tq.browse("bad name", { state: "ready" }), "BAD_NAME", "browse of a bad name");
    });
  });
}
