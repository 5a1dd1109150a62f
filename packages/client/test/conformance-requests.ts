// The request/response part of the conformance suite (put, take, respond, wait, request), written
// once against any TinyQSApi and run by describeConformance on the engine, the TCP client and the
// HTTP client. A caller and a responder are two separate instances, as a caller and a remote worker
// would be. Timeouts stay under the HTTP server's default --max-wait-ms (20 000).
import { describe, expect, it } from "vitest";
import type { TinyQSApi } from "@tinyqs/core";
import { expectCode, sleep, uniqueQueue } from "@tinyqs/test-support";

export function describeRequestResponseConformance(label: string, api: () => Promise<TinyQSApi>) {
  describe.concurrent(`request/response on ${label}`, () => {
    const pair = async () => {
      const [caller, responder] = await Promise.all([api(), api()]);
      /** Take one request and answer it with `reply(body)`. */
      const answer = async (q: string, reply: (body: Buffer) => string) => {
        const m = (await responder.take(q, { waitMs: 5000 }))!;
        expect(m).not.toBeNull();
        expect(await responder.respond(q, m.receipt!, reply(m.body))).toBe(true);
        return m;
      };
      return { caller, responder, answer };
    };

    it("put → take → respond → wait: the reply exactly once; the request is gone", async () => {
      const { caller, responder } = await pair();
      const q = uniqueQueue("rr");
      const handle = await caller.put(q, "question");
      expect(handle).toMatch(new RegExp(`^${q}:\\d+-\\d+$`));
      const m = (await responder.take(q))!;
      expect(m).toMatchObject({ queue: q, id: handle.slice(q.length + 1), receiveCount: 1 });
      expect(m.body.toString()).toBe("question");
      expect(await responder.respond(q, m.receipt!, "answer")).toBe(true);
      expect((await caller.wait(handle, { timeoutMs: 5000 }))!.toString()).toBe("answer");
      expect(await caller.wait(handle, { timeoutMs: 0 })).toBeNull(); // collected: removed
      expect(await caller.stats(q)).toEqual({ ready: 0, inFlight: 0, delayed: 0, sent: 1, received: 1, deleted: 1, deadLettered: 0, deduplicated: 0, paused: false, oldestReadyAgeMs: null });
    });

    it("a waiting wait() gets a reply given after it started", async () => {
      const { caller, answer } = await pair();
      const q = uniqueQueue("rr");
      const handle = await caller.put(q, "ping");
      const waiting = caller.wait(handle, { timeoutMs: 15_000 });
      await sleep(150);
      await answer(q, (b) => `${b}-pong`);
      expect((await waiting)!.toString()).toBe("ping-pong");
    });

    it("request() against a responder loop: every caller gets its own reply, byte-exact", async () => {
      const { caller, responder } = await pair();
      const q = uniqueQueue("rr");
      const n = 20;
      const prefix = Buffer.from([0, 255, 13, 10]);
      const serving = (async () => {
        for (let i = 0; i < n; i++) {
          const m = (await responder.take(q, { waitMs: 10_000 }))!;
          expect(await responder.respond(q, m.receipt!, Buffer.concat([prefix, m.body]))).toBe(true);
        }
      })();
      const replies = await Promise.all(Array.from({ length: n }, (_, i) => caller.request(q, `r${i}`, { timeoutMs: 15_000 })));
      await serving;
      replies.forEach((r, i) => expect(r.equals(Buffer.concat([prefix, Buffer.from(`r${i}`)]))).toBe(true));
      expect(await caller.stats(q)).toMatchObject({ ready: 0, inFlight: 0, sent: n, deleted: n });
    });

    it("two wait()s on one handle, both waiting when the reply comes: exactly one of them gets it", async () => {
      const { caller, answer } = await pair();
      const q = uniqueQueue("rr");
      const handle = await caller.put(q, "for one of us");
      // The one that gets nothing waits out its timeout: long enough for the answer under load.
      const waits = [caller.wait(handle, { timeoutMs: 5000 }), caller.wait(handle, { timeoutMs: 5000 })];
      await sleep(150); // not needed for the outcome: it makes both listen, so one announcement wakes both at once
      await answer(q, () => "only once");
      const got = (await Promise.all(waits)).filter((r) => r !== null);
      expect(got.map(String)).toEqual(["only once"]);
      expect(await caller.wait(handle, { timeoutMs: 0 })).toBeNull(); // and it is not left behind either
    });

    it("two responds with one receipt at once: exactly one is true, and its body is the reply", async () => {
      const { caller, responder } = await pair();
      const q = uniqueQueue("rr");
      const handle = await caller.put(q, "answer me once");
      const m = (await responder.take(q))!;
      const bodies = ["a", "b"];
      const answered = await Promise.all(bodies.map((b) => responder.respond(q, m.receipt!, b)));
      expect(answered.filter(Boolean), String(answered)).toHaveLength(1);
      expect((await caller.wait(handle, { timeoutMs: 0 }))?.toString()).toBe(bodies[answered.indexOf(true)]);
      expect(await caller.wait(handle, { timeoutMs: 0 })).toBeNull();
      expect(await caller.stats(q)).toMatchObject({ inFlight: 0, deleted: 1 });
    });

    it("a responder whose lease ran out cannot respond; the next one does, and the waiter gets exactly its reply", async () => {
      const { caller, responder } = await pair();
      const other = await api(); // the second responder
      const q = uniqueQueue("rr");
      const handle = await caller.put(q, "slow job");
      const waiting = caller.wait(handle, { timeoutMs: 15_000 });
      const first = (await responder.take(q, { visibilityMs: 150 }))!;
      await sleep(300); // the lease runs out: the request is receivable again
      const second = (await other.take(q, { waitMs: 5000 }))!;
      expect(second).toMatchObject({ id: first.id, receiveCount: 2 });
      expect(await responder.respond(q, first.receipt!, "from the first")).toBe(false);
      expect(await other.respond(q, second.receipt!, "from the second")).toBe(true);
      expect((await waiting)!.toString()).toBe("from the second");
      expect(await caller.wait(handle, { timeoutMs: 300 })).toBeNull(); // exactly one reply
      expect(await responder.respond(q, first.receipt!, "late")).toBe(false);
      expect(await caller.wait(handle, { timeoutMs: 0 })).toBeNull();
    });

    it("a second respond, a stale or unknown receipt, an id: false, and nothing is stored", async () => {
      const { caller, responder } = await pair();
      const q = uniqueQueue("rr");
      const handle = await caller.put(q, "once");
      const m = (await responder.take(q))!;
      expect(await responder.respond(q, `${m.id}.7`, "wrong delivery")).toBe(false);
      expect(await responder.respond(q, "1-1.1", "unknown")).toBe(false);
      expect(await responder.respond(q, m.id, "an id is not a receipt")).toBe(false);
      expect(await responder.respond(uniqueQueue("rr"), m.receipt!, "another queue")).toBe(false);
      expect(await caller.wait(handle, { timeoutMs: 0 })).toBeNull(); // none of those stored a reply
      expect(await caller.stats(q)).toMatchObject({ inFlight: 1, deleted: 0 }); // nor deleted the request
      expect(await responder.respond(q, m.receipt!, "the one")).toBe(true);
      expect(await responder.respond(q, m.receipt!, "the two")).toBe(false);
      expect((await caller.wait(handle, { timeoutMs: 0 }))!.toString()).toBe("the one");
      expect(await caller.wait(handle, { timeoutMs: 0 })).toBeNull();
    });

    it("wait() gives up with null; request() rejects with TIMEOUT naming its handle; replies can still be collected", async () => {
      const { caller, answer } = await pair();
      const q = uniqueQueue("rr");
      const handle = await caller.put(q, "nobody home");
      expect(await caller.wait(handle, { timeoutMs: 250 })).toBeNull();
      const err = await expectCode(() => caller.request(q, "no answer", { timeoutMs: 200 }), "TIMEOUT", "request");
      const late = new RegExp(`${q}:\\d+-\\d+`).exec(err.message)?.[0];
      expect(late, err.message).toBeDefined();
      await answer(q, () => "late but there");
      await answer(q, () => "late too");
      expect((await caller.wait(handle, { timeoutMs: 1000 }))!.toString()).toBe("late but there");
      expect((await caller.wait(late!, { timeoutMs: 1000 }))!.toString()).toBe("late too");
    });

    it("a waiter that gives up (signal) leaves the reply for the next wait; request() with an aborted signal is TIMEOUT", async () => {
      const { caller, responder, answer } = await pair();
      const q = uniqueQueue("rr");
      const handle = await caller.put(q, "patience");
      const ac = new AbortController();
      const waiting = caller.wait(handle, { timeoutMs: 15_000, signal: ac.signal });
      await sleep(100);
      ac.abort();
      expect(await waiting).toBeNull();
      await answer(q, () => "kept for you");
      expect((await responder.wait(handle, { timeoutMs: 1000 }))!.toString()).toBe("kept for you"); // anyone with the handle may collect
      const given = new AbortController();
      const requesting = expectCode(() => caller.request(q, "never mind", { timeoutMs: 15_000, signal: given.signal }), "TIMEOUT", "aborted request");
      await sleep(100);
      given.abort();
      await requesting;
    });

    it("request() with a signal that had already aborted rejects with TIMEOUT and sends nothing", async () => {
      const { caller, responder } = await pair();
      const q = uniqueQueue("rr");
      await expectCode(() => caller.request(q, "never sent", { timeoutMs: 15_000, signal: AbortSignal.abort() }), "TIMEOUT", "request");
      expect(await responder.take(q)).toBeNull();
      expect((await caller.stats(q)).sent).toBe(0);
    });

    it("a reply not collected within the queue's replyTtlMs expires", async () => {
      const { caller, answer } = await pair();
      const q = uniqueQueue("rr");
      expect((await caller.configure(q, { replyTtlMs: 200, dedupWindowMs: 300000 })).replyTtlMs).toBe(200);
      expect((await caller.getConfig(q)).replyTtlMs).toBe(200);
      const handle = await caller.put(q, "forgotten");
      await answer(q, () => "too late");
      await sleep(500);
      expect(await caller.wait(handle, { timeoutMs: 0 })).toBeNull();
    });

    it("errors: a bad handle or timeoutMs is BAD_ARGUMENT, a bad queue BAD_NAME, a too-big reply TOO_BIG", async () => {
      const { caller, responder } = await pair();
      const q = uniqueQueue("rr");
      for (const bad of ["", "no-colon", `${q}:`, `${q}:abc`, "bad name:1-1", ":1-1", `${q}:1-1:2`, `${q}/x:1-1`]) {
        await expectCode(() => caller.wait(bad, { timeoutMs: 0 }), "BAD_ARGUMENT", `wait ${JSON.stringify(bad)}`);
      }
      await expectCode(() => caller.wait(`${q}:1-1`, { timeoutMs: -1 }), "BAD_ARGUMENT", "negative timeout");
      await expectCode(() => caller.request(q, "x", { timeoutMs: 1.5 }), "BAD_ARGUMENT", "fractional timeout");
      expect((await caller.stats(q)).sent).toBe(0); // the bad request was not sent
      await expectCode(() => caller.put("bad name", "x"), "BAD_NAME", "put");
      await expectCode(() => caller.request("bad name", "x"), "BAD_NAME", "request");
      await expectCode(() => responder.take("bad name"), "BAD_NAME", "take");
      await expectCode(() => responder.respond("bad name", "1-1.1", "x"), "BAD_NAME", "respond");

      await caller.configure(q, { maxMessageBytes: 10 });
      const handle = await caller.put(q, "small");
      const m = (await responder.take(q))!;
      await expectCode(() => responder.respond(q, m.receipt!, "x".repeat(11)), "TOO_BIG", "a reply of 11 bytes");
      expect(await caller.stats(q)).toMatchObject({ inFlight: 1, deleted: 0 }); // the request is still held
      expect(await responder.respond(q, m.receipt!, "x".repeat(10))).toBe(true);
      expect((await caller.wait(handle, { timeoutMs: 0 }))!.toString()).toBe("x".repeat(10));
    });

    it("put → take → [lease expiry] → respond → wait, 20 times: all answered, nothing left behind", async () => {
      const { caller, responder, answer } = await pair();
      const q = uniqueQueue("rr");
      const n = 20;
      const handles = await Promise.all(Array.from({ length: n }, (_, i) => caller.put(q, `job ${i}`)));
      const waits = handles.map((h) => caller.wait(h, { timeoutMs: 15_000 }));
      // Taken all at once (one batch, so no lease ends before the last is taken), and let run out.
      const dropped = await responder.receiveBatch(q, { max: n, visibilityMs: 100 });
      expect(dropped).toHaveLength(n);
      await sleep(300);
      for (let i = 0; i < n; i++) expect((await answer(q, (b) => `done: ${b}`)).receiveCount).toBe(2);
      for (const m of dropped) expect(await responder.respond(q, m.receipt!, "stale")).toBe(false);
      const replies = (await Promise.all(waits)).map((r) => r?.toString());
      expect(replies).toEqual(handles.map((_, i) => `done: job ${i}`));
      expect(await caller.stats(q)).toEqual({ ready: 0, inFlight: 0, delayed: 0, sent: n, received: 2 * n, deleted: n, deadLettered: 0, deduplicated: 0, paused: false, oldestReadyAgeMs: null });
      for (const h of handles) expect(await caller.wait(h, { timeoutMs: 0 })).toBeNull(); // no reply left either
    });
  });
}
