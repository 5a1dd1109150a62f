// The semantics suite, written once against any TinyQSApi: run on the engine, the TCP client and
// the HTTP client by conformance.test.ts. Each test uses its own queue and closes what it makes.
import { describe, expect, it } from "vitest";
import type { TinyQSApi } from "@tinyqs/core";
import { eventually, expectCode, sleep, uniqueQueue } from "@tinyqs/test-support";
import { describeAdminConformance } from "./conformance-admin.js";
import { describeBatchConformance } from "./conformance-batches.js";
import { describeBrowseConformance } from "./conformance-browse.js";
import { describeDedupConformance } from "./conformance-dedup.js";
import { describeRequestResponseConformance } from "./conformance-requests.js";
import { trackedApis } from "./tracked-apis.js";

export function describeConformance(label: string, makeApi: () => TinyQSApi | Promise<TinyQSApi>) {
  describe.concurrent(`conformance on ${label}`, () => {
    const api = trackedApis(makeApi);

    it("send, receive, delete", async () => {
      const tq = await api();
      const q = uniqueQueue("c");
      const body = Buffer.from([0, 255, 13, 10, 1, 2, 3]);
      const id = await tq.send(q, body);
      expect(id).toMatch(/^\d+-\d+$/);
      const m = await tq.receive(q);
      expect(m).toMatchObject({ queue: q, id, receipt: `${id}.1`, receiveCount: 1 });
      expect(m!.body.equals(body)).toBe(true);
      expect(typeof m!.sentAt).toBe("number");
      expect(await tq.receive(q)).toBeNull();
      expect(await tq.delete(q, m!.receipt!)).toBe(true);
      expect(await tq.delete(q, m!.receipt!)).toBe(false);
      expect(await tq.stats(q)).toEqual({ ready: 0, inFlight: 0, delayed: 0, sent: 1, received: 1, deleted: 1, deadLettered: 0, deduplicated: 0, paused: false, oldestReadyAgeMs: null });
    });

    it("a receipt is stale once its reservation ran out; the next delivery counts 2", async () => {
      const tq = await api();
      const q = uniqueQueue("c");
      await tq.send(q, "x");
      const m1 = (await tq.receive(q, { visibilityMs: 150 }))!;
      expect(await tq.touch(q, m1.receipt!, { visibilityMs: 150 })).toBe(true);
      await sleep(300);
      expect(await tq.touch(q, m1.receipt!)).toBe(false);
      expect(await tq.delete(q, m1.receipt!)).toBe(false);
      const m2 = (await tq.receive(q))!;
      expect(m2).toMatchObject({ id: m1.id, receiveCount: 2, receipt: `${m1.id}.2` });
      expect(await tq.release(q, m1.receipt!)).toBe(false);
      expect(await tq.delete(q, m2.receipt!)).toBe(true);
    });

    it("release with a delay: delayed, then ready again", async () => {
      const tq = await api();
      const q = uniqueQueue("c");
      await tq.send(q, "x");
      const m = (await tq.receive(q))!;
      expect(await tq.release(q, m.receipt!, { delayMs: 300 })).toBe(true);
      expect(await tq.stats(q)).toMatchObject({ ready: 0, inFlight: 0, delayed: 1 });
      expect(await tq.receive(q)).toBeNull();
      const again = await eventually(() => tq.receive(q), 3000);
      expect(again).toMatchObject({ id: m.id, receiveCount: 2 });
      // send with a delay too
      await tq.send(q, "later", { delayMs: 200 });
      expect(await tq.peek(q)).toBeNull();
      expect((await eventually(() => tq.receive(q), 3000))!.body.toString()).toBe("later");
    });

    it("sendBatch and receiveBatch", async () => {
      const tq = await api();
      const q = uniqueQueue("c");
      const ids = await tq.sendBatch(q, ["a", "b", Buffer.from("c")]);
      expect(ids).toHaveLength(3);
      const first = await tq.receiveBatch(q, { max: 2 });
      expect(first.map((m) => m.body.toString())).toEqual(["a", "b"]);
      expect(first.map((m) => m.id)).toEqual(ids.slice(0, 2));
      const rest = await tq.receiveBatch(q, { max: 5, visibilityMs: 1000 });
      expect(rest.map((m) => m.body.toString())).toEqual(["c"]);
      expect(await tq.receiveBatch(q, { max: 5 })).toEqual([]);
      expect(await tq.receiveBatch(q, { max: 5, waitMs: 100 })).toEqual([]);
      expect(await tq.stats(q)).toMatchObject({ inFlight: 3, sent: 3, received: 3 });
    });

    it("peek shows the next ready message without reserving it", async () => {
      const tq = await api();
      const q = uniqueQueue("c");
      expect(await tq.peek(q)).toBeNull();
      const id = await tq.send(q, "p");
      const p = (await tq.peek(q))!;
      expect(p).toMatchObject({ id, receipt: null, receiveCount: 0 });
      expect(p.body.toString()).toBe("p");
      expect(await tq.stats(q)).toMatchObject({ ready: 1, inFlight: 0 });
      expect((await tq.receive(q))!.id).toBe(id);
    });

    it("a long poll is woken by a send", async () => {
      const [tq, other] = await Promise.all([api(), api()]);
      const q = uniqueQueue("c");
      const started = Date.now();
      const waiting = tq.receive(q, { waitMs: 10_000 });
      const peeking = tq.peek(q, { waitMs: 10_000 });
      await sleep(150);
      await other.send(q, "wake");
      const m = await waiting;
      expect(m!.body.toString()).toBe("wake");
      expect((await peeking)?.id ?? m!.id).toBe(m!.id);
      expect(Date.now() - started).toBeLessThan(3000);
    });

    it("a long poll ends at once when its signal aborts, and nothing stays reserved", async () => {
      const tq = await api();
      const q = uniqueQueue("c");
      const ac = new AbortController();
      const started = Date.now();
      const waiting = tq.receiveBatch(q, { max: 3, waitMs: 10_000, signal: ac.signal });
      await sleep(100);
      ac.abort();
      expect(await waiting).toEqual([]);
      expect(Date.now() - started).toBeLessThan(3000);
      await tq.send(q, "after");
      await eventually(async () => (await tq.stats(q)).ready === 1 && (await tq.stats(q)).inFlight === 0, 3000);
      expect((await tq.receive(q))!.body.toString()).toBe("after");
      // the client still works after the abort
      const again = tq.receive(q, { waitMs: 5000 });
      await tq.send(q, "again");
      expect((await again)!.body.toString()).toBe("again");
    });

    it("errors carry the engine's codes: BAD_NAME, TOO_BIG, BAD_ARGUMENT", async () => {
      const tq = await api();
      const q = uniqueQueue("c");
      await expectCode(() => tq.send("bad name!", "x"), "BAD_NAME", "send to a bad name");
      await expectCode(() => tq.receive(""), "BAD_NAME", "receive from an empty name");
      await expectCode(() => tq.delete("bad name", "1-1.1"), "BAD_NAME", "delete from a bad name");
      await expectCode(() => tq.configure(q, { deadLetterQueue: "no spaces" }), "BAD_NAME", "configure a bad DLQ");
      await expectCode(() => tq.configure(q, { visibilityMs: 0 }), "BAD_ARGUMENT", "configure visibility 0");
      expect(await tq.configure(q, { maxMessageBytes: 10 })).toMatchObject({ maxMessageBytes: 10 });
      await expectCode(() => tq.send(q, "01234567890"), "TOO_BIG", "send 11 bytes");
      await expectCode(() => tq.sendBatch(q, ["ok", "01234567890"]), "TOO_BIG", "batch with 11 bytes");
      expect(await tq.send(q, "0123456789")).toMatch(/-/);
      expect(await tq.stats(q)).toMatchObject({ ready: 1, sent: 1 });
    });

    it("bad arguments: the engine's code and message, and nothing is sent", async () => {
      const tq = await api();
      const q = uniqueQueue("c");
      const int = (name: string) => new RegExp(`^${name} must be an integer from \\d+ to \\d+, got `);
      const cases: Array<[string, () => unknown, string, RegExp]> = [
        ["receiveBatch without max", () => tq.receiveBatch(q, {} as never), "BAD_ARGUMENT", int("max")],
        ["receiveBatch with max as a string", () => tq.receiveBatch(q, { max: "3" as never }), "BAD_ARGUMENT", int("max")],
        ["receiveBatch of 1001", () => tq.receiveBatch(q, { max: 1001 }), "BAD_ARGUMENT", int("max")],
        ["receive with waitMs 1.5", () => tq.receive(q, { waitMs: 1.5 }), "BAD_ARGUMENT", int("waitMs")],
        ["receive with waitMs NaN", () => tq.receive(q, { waitMs: NaN }), "BAD_ARGUMENT", int("waitMs")],
        ["peek with waitMs as a string", () => tq.peek(q, { waitMs: "100" as never }), "BAD_ARGUMENT", int("waitMs")],
        ["receive with visibilityMs 0", () => tq.receive(q, { visibilityMs: 0 }), "BAD_ARGUMENT", int("visibilityMs")],
        ["send with delayMs -1", () => tq.send(q, "x", { delayMs: -1 }), "BAD_ARGUMENT", int("delayMs")],
        ["send with delayMs as a string", () => tq.send(q, "x", { delayMs: "5" as never }), "BAD_ARGUMENT", int("delayMs")],
        ["send a number", () => tq.send(q, 5 as never), "BAD_ARGUMENT", /^a body must be/],
        ["sendBatch of 1001", () => tq.sendBatch(q, Array(1001).fill("x")), "BAD_ARGUMENT", /^sendBatch takes an array of at most 1000/],
        ["sendBatch of a string", () => tq.sendBatch(q, "x" as never), "BAD_ARGUMENT", /^sendBatch takes an array/],
        ["touch with visibilityMs 1.5", () => tq.touch(q, "1-1.1", { visibilityMs: 1.5 }), "BAD_ARGUMENT", int("visibilityMs")],
        ["touch without a receipt", () => tq.touch(q, undefined as never), "BAD_ARGUMENT", /^a receipt is a non-empty string/],
        ["touch with a 257-character receipt", () => tq.touch(q, "a".repeat(257)), "BAD_ARGUMENT", /^a receipt is a non-empty string of at most 256 characters$/],
        ["release with delayMs 1.5", () => tq.release(q, "1-1.1", { delayMs: 1.5 }), "BAD_ARGUMENT", int("delayMs")],
        ["respond to an empty receipt", () => tq.respond(q, "", "x"), "BAD_ARGUMENT", /^a receipt is a non-empty string/],
        ["delete a number", () => tq.delete(q, 5 as never), "BAD_ARGUMENT", /^delete takes an id or a receipt/],
        ["configure null", () => tq.configure(q, null as never), "BAD_ARGUMENT", /^configure takes an object/],
        ["configure visibilityMs as a string", () => tq.configure(q, { visibilityMs: "10" as never }), "BAD_ARGUMENT", int("visibilityMs")],
        ["configure visibilityMs as a string, quoted", () => tq.configure(q, { visibilityMs: "5000" as never }), "BAD_ARGUMENT", /, got "5000"$/],
        ["configure an unknown setting", () => tq.configure(q, { bogus: 1 } as never), "BAD_ARGUMENT", /^unknown setting "bogus"/],
        ["configure a number as dead-letter queue", () => tq.configure(q, { deadLetterQueue: 5 as never }), "BAD_NAME", /^bad dead-letter queue name 5/],
        ["configure the queue as its own dead-letter queue", () => tq.configure(q, { deadLetterQueue: q }), "BAD_ARGUMENT", /its own dead-letter queue/],
      ];
      for (const [what, fn, code, message] of cases) {
        const e = await expectCode(fn, code, what);
        expect(e.message, what).toMatch(message);
      }
      expect(await tq.stats(q)).toEqual({ ready: 0, inFlight: 0, delayed: 0, sent: 0, received: 0, deleted: 0, deadLettered: 0, deduplicated: 0, paused: false, oldestReadyAgeMs: null });
      expect(await tq.getConfig(q)).toMatchObject({ visibilityMs: 30_000, deadLetterQueue: `${q}.dead` });
    });

    it("stats, queues, purge, ping", async () => {
      const tq = await api();
      const q = uniqueQueue("c");
      await tq.ping();
      await tq.sendBatch(q, ["1", "2", "3"]);
      await tq.send(q, "d", { delayMs: 60_000 });
      await tq.receive(q);
      expect(await tq.stats(q)).toEqual({ ready: 2, inFlight: 1, delayed: 1, sent: 4, received: 1, deleted: 0, deadLettered: 0, deduplicated: 0, paused: false, oldestReadyAgeMs: expect.any(Number) });
      expect(await tq.queues()).toContain(q);
      expect(await tq.purge(q)).toBe(4);
      expect(await tq.stats(q)).toMatchObject({ ready: 0, inFlight: 0, delayed: 0, sent: 4 });
    });

    it("configure, getConfig, and dead letters after maxReceives", async () => {
      const tq = await api();
      const q = uniqueQueue("c");
      expect(await tq.getConfig(q)).toEqual({ visibilityMs: 30_000, maxReceives: 0, deadLetterQueue: `${q}.dead`, maxMessageBytes: 1_048_576, replyTtlMs: 300_000, dedupWindowMs: 300_000, paused: false });
      const cfg = await tq.configure(q, { maxReceives: 2, visibilityMs: 5000 });
      expect(cfg).toEqual({ visibilityMs: 5000, maxReceives: 2, deadLetterQueue: `${q}.dead`, maxMessageBytes: 1_048_576, replyTtlMs: 300_000, dedupWindowMs: 300_000, paused: false });
      expect(await tq.getConfig(q)).toEqual(cfg);
      const id = await tq.send(q, "poison");
      for (let i = 1; i <= 2; i++) {
        const m = (await tq.receive(q))!;
        expect(m).toMatchObject({ id, receiveCount: i });
        expect(await tq.release(q, m.receipt!)).toBe(true);
      }
      expect(await tq.receive(q)).toBeNull();
      expect(await tq.stats(q)).toMatchObject({ ready: 0, inFlight: 0, deadLettered: 1 });
      const dead = (await tq.receive(`${q}.dead`))!;
      expect(dead.body.toString()).toBe("poison");
      expect(dead.receiveCount).toBe(1);
    });

    it("after close(), calls fail with CLOSED", async () => {
      const tq = await makeApi();
      await tq.ping();
      await tq.close();
      await tq.close();
      await expectCode(() => tq.send(uniqueQueue("c"), "x"), "CLOSED", "send after close");
      await expectCode(() => tq.put(uniqueQueue("c"), "x"), "CLOSED", "put after close");
    });

    describeRequestResponseConformance(label, api);
    describeBatchConformance(label, api);
    describeBrowseConformance(label, api);
    describeDedupConformance(label, api);
    describeAdminConformance(label, api);
  });
}
