// The request/response suite of the engine (put, take, respond, wait, request), written once and
// run against one Redis (semantics.test.ts) and a 3-master Redis Cluster (semantics-cluster.test.ts).
// The points of issue 6: end to end exactly once, a responder whose lease ran out, stale and
// duplicate responds, timeouts, reply expiry; and the original design's "put → take → [expiry] →
// respond → wait, n times: all answered, nothing left behind".
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TinyQS, DEFAULTS, LIMITS, parseReplyHandle } from "../src/index.js";
import { expectCode, queueKeys, sleep, timed, uniqueQueue, type Admin } from "@tinyqs/test-support";
import type { EngineOptions, SemanticsOptions } from "./semantics.js";

export function describeRequestResponse(label: string, makeEngine: (options?: EngineOptions) => TinyQS, opts: SemanticsOptions) {
  const qn = opts.queueName ?? (() => uniqueQueue());

  describe.concurrent(`request/response on ${label}`, () => {
    let caller: TinyQS; // puts and waits
    let responder: TinyQS; // takes and responds: another engine, as a remote worker would be
    let admin: Admin;

    beforeAll(() => {
      caller = makeEngine();
      responder = makeEngine();
      admin = opts.admin();
    });
    afterAll(async () => {
      await Promise.all([caller.close(), responder.close()]);
      admin.disconnect();
    });

    /** Take one request and answer it with `reply`. */
    const answer = async (q: string, reply: (body: Buffer) => string) => {
      const m = (await responder.take(q, { waitMs: 5000 }))!;
      expect(m).not.toBeNull();
      expect(await responder.respond(q, m.receipt!, reply(m.body))).toBe(true);
      return m;
    };

    it("put → take → respond → wait: the reply once, then nothing; the request is gone", async () => {
      const q = qn();
      const handle = await caller.put(q, "question");
      const { queue, id } = parseReplyHandle(handle);
      expect(queue).toBe(q);
      const m = (await responder.take(q))!;
      expect(m.id).toBe(id);
      expect(m.body.toString()).toBe("question");
      expect(m.receiveCount).toBe(1);
      expect(await responder.respond(q, m.receipt!, "answer")).toBe(true);
      expect((await caller.wait(handle))!.toString()).toBe("answer");
      expect(await caller.wait(handle, { timeoutMs: 0 })).toBeNull(); // collected: removed
      const stats = await caller.stats(q);
      expect(stats).toMatchObject({ ready: 0, inFlight: 0, delayed: 0, sent: 1, received: 1, deleted: 1 });
      expect((await queueKeys(admin, q)).filter((k) => /:(replies|reply-expiry)$/.test(k))).toEqual([]);
    });

    it("a waiting wait() is woken by a respond from another engine", async () => {
      const q = qn();
      const handle = await caller.put(q, "ping");
      const waiting = timed(caller.wait(handle, { timeoutMs: 10_000 }));
      await sleep(200);
      await answer(q, (b) => `${b}-pong`);
      const { value, ms } = await waiting;
      expect(value!.toString()).toBe("ping-pong");
      expect(ms).toBeLessThan(10_000); // woken by the reply, not by the end of its time
    });

    it("two waiters of one handle: exactly one gets the reply", async () => {
      const q = qn();
      const handle = await caller.put(q, "one answer");
      const waits = [caller.wait(handle, { timeoutMs: 1500 }), caller.wait(handle, { timeoutMs: 1500 }), responder.wait(handle, { timeoutMs: 1500 })];
      await sleep(100);
      await answer(q, () => "only once");
      const got = (await Promise.all(waits)).map((r) => r?.toString() ?? null);
      expect(got.filter((r) => r !== null)).toEqual(["only once"]);
      // and when they look in the same tick (one collect call for both)
      const h2 = await caller.put(q, "again");
      await answer(q, () => "once more");
      const same = await Promise.all([caller.wait(h2, { timeoutMs: 0 }), caller.wait(h2, { timeoutMs: 0 })]);
      expect(same.filter((r) => r !== null).map(String)).toEqual(["once more"]);
    });

    it("two responds with one receipt at once: exactly one is stored, and it is the one that returned true", async () => {
      const q = qn();
      const handle = await caller.put(q, "race");
      const m = (await responder.take(q))!;
      const outcomes = await Promise.all([responder.respond(q, m.receipt!, "a"), responder.respond(q, m.receipt!, "b")]);
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      expect((await caller.wait(handle, { timeoutMs: 0 }))!.toString()).toBe(outcomes[0] ? "a" : "b");
    });

    it("5000 puts, takes and responds in one tick each: all stored, all answered (long argument lists)", async () => {
      const q = qn();
      const n = 5000;
      const handles = await Promise.all(Array.from({ length: n }, (_, i) => caller.put(q, `p${i}`)));
      const taken: Array<{ receipt: string | null; body: Buffer }> = [];
      while (taken.length < n) taken.push(...(await responder.receiveBatch(q, { max: 1000 })));
      const outcomes = await Promise.all(taken.map((m) => responder.respond(q, m.receipt!, `${m.body}!`)));
      expect(outcomes.every(Boolean)).toBe(true);
      const replies = await Promise.all(handles.map((h) => caller.wait(h, { timeoutMs: 0 })));
      expect(replies.map((r) => r?.toString())).toEqual(handles.map((_, i) => `p${i}!`));
      expect(await caller.stats(q)).toMatchObject({ ready: 0, inFlight: 0, sent: n, deleted: n });
    });

    it("request() is put + wait; replies go to their own callers; bodies are byte-exact", async () => {
      const q = qn();
      const n = 100;
      const serving = (async () => {
        for (let i = 0; i < n; i++) {
          const m = (await responder.take(q, { waitMs: 5000 }))!;
          await responder.respond(q, m.receipt!, Buffer.concat([Buffer.from([0, 255]), m.body]));
        }
      })();
      const replies = await Promise.all(Array.from({ length: n }, (_, i) => caller.request(q, `r${i}`, { timeoutMs: 10_000 })));
      await serving;
      replies.forEach((r, i) => expect(r.equals(Buffer.concat([Buffer.from([0, 255]), Buffer.from(`r${i}`)]))).toBe(true));
    });

    it("a responder whose lease ran out cannot respond; the next one does, and the waiter gets exactly its reply", async () => {
      const q = qn();
      const handle = await caller.put(q, "slow job");
      const waiting = caller.wait(handle, { timeoutMs: 10_000 });
      const first = (await responder.take(q, { visibilityMs: 150 }))!;
      await sleep(300); // the lease runs out: the request is receivable again
      const second = (await responder.take(q, { waitMs: 2000 }))!;
      expect(second.id).toBe(first.id);
      expect(second.receiveCount).toBe(2);
      expect(await responder.respond(q, first.receipt!, "from the first")).toBe(false);
      expect(await responder.respond(q, second.receipt!, "from the second")).toBe(true);
      expect((await waiting)!.toString()).toBe("from the second");
      expect(await caller.wait(handle, { timeoutMs: 300 })).toBeNull(); // exactly one reply
      expect(await responder.respond(q, first.receipt!, "late")).toBe(false);
      expect(await caller.wait(handle, { timeoutMs: 0 })).toBeNull();
    });

    it("a second respond, an unknown receipt, a stale receipt or an id: false, and nothing is stored", async () => {
      const q = qn();
      const handle = await caller.put(q, "once");
      const m = (await responder.take(q))!;
      expect(await responder.respond(q, `${m.id}.7`, "wrong delivery")).toBe(false);
      expect(await responder.respond(q, m.id, "an id is not a receipt")).toBe(false);
      expect(await responder.respond(q, "1-1.1", "unknown")).toBe(false);
      expect(await responder.respond(qn(), m.receipt!, "another queue")).toBe(false);
      expect(await caller.wait(handle, { timeoutMs: 0 })).toBeNull(); // none of those stored a reply
      expect((await caller.stats(q)).inFlight).toBe(1); // nor deleted the request
      expect(await responder.respond(q, m.receipt!, "the one")).toBe(true);
      expect(await responder.respond(q, m.receipt!, "the two")).toBe(false);
      expect((await caller.wait(handle, { timeoutMs: 0 }))!.toString()).toBe("the one");
    });

    it("wait() gives up after timeoutMs with null; request() rejects with TIMEOUT; the reply can still be collected", async () => {
      const q = qn();
      const handle = await caller.put(q, "nobody home");
      const { value, ms } = await timed(caller.wait(handle, { timeoutMs: 250 }));
      expect(value).toBeNull();
      expect(ms).toBeGreaterThanOrEqual(240);
      const err = await expectCode(() => caller.request(q, "no answer", { timeoutMs: 200 }), "TIMEOUT", "request");
      expect(err.message).toMatch(new RegExp(`${q}:\\d+-\\d+`)); // names the handle, to wait on later
      await answer(q, () => "late but there");
      expect((await caller.wait(handle, { timeoutMs: 1000 }))!.toString()).toBe("late but there");
    });

    it("a reply not collected within the queue's replyTtlMs expires, and the queue keeps no reply keys", async () => {
      const q = qn();
      expect((await caller.configure(q, { replyTtlMs: 200, dedupWindowMs: 300000 })).replyTtlMs).toBe(200);
      const handle = await caller.put(q, "forgotten");
      const m = await answer(q, () => "too late");
      const [replies, expiry] = [`tinyqs:{${q}}:replies`, `tinyqs:{${q}}:reply-expiry`];
      expect(await admin.hexists(replies, m.id)).toBe(1);
      for (const key of [replies, expiry]) {
        const ttl = await admin.pttl(key);
        expect(ttl, key).toBeGreaterThan(0);
        expect(ttl, key).toBeLessThanOrEqual(200);
      }
      await sleep(400);
      expect(await admin.exists(replies, expiry)).toBe(0); // gone whole, with nobody collecting
      expect(await caller.wait(handle, { timeoutMs: 0 })).toBeNull();
      // the default is 5 minutes
      const q2 = qn();
      await caller.put(q2, "kept");
      await answer(q2, () => "kept");
      const ttl = await admin.pttl(`tinyqs:{${q2}}:replies`);
      expect(ttl).toBeGreaterThan(DEFAULTS.replyTtlMs - 10_000);
      expect(ttl).toBeLessThanOrEqual(DEFAULTS.replyTtlMs);
    });

    it("an expired reply is never returned; the keys live as long as the latest reply; responds sweep what expired", async () => {
      const q = qn();
      const replies = `tinyqs:{${q}}:replies`;
      await caller.configure(q, { replyTtlMs: 150 });
      const [a, b] = [await caller.put(q, "a"), await caller.put(q, "b")];
      const [ma, mb] = [await answer(q, () => "a!"), await answer(q, () => "b!")];
      await caller.configure(q, { replyTtlMs: 60_000 });
      const c = await caller.put(q, "c");
      await answer(q, () => "c!");
      await caller.configure(q, { replyTtlMs: 150 }); // shorter again: the keys still live for c's reply
      const d = await caller.put(q, "d");
      await answer(q, () => "d!");
      expect(await admin.pttl(replies)).toBeGreaterThan(50_000);
      await sleep(400); // a's, b's and d's replies have expired; c's has not
      expect(await admin.hexists(replies, ma.id)).toBe(1); // still there: nothing swept it yet
      expect(await caller.wait(a, { timeoutMs: 0 })).toBeNull(); // … but never returned
      expect(await admin.hexists(replies, ma.id)).toBe(0); // and that look removed it
      expect(await admin.hexists(replies, mb.id)).toBe(1);
      await caller.put(q, "e");
      await answer(q, () => "e!"); // sweeps b's and d's
      expect(await admin.hexists(replies, mb.id)).toBe(0);
      expect(await admin.hlen(replies)).toBe(2); // c's and e's
      expect(await caller.wait(b, { timeoutMs: 0 })).toBeNull();
      expect(await caller.wait(d, { timeoutMs: 0 })).toBeNull();
      expect((await caller.wait(c, { timeoutMs: 0 }))!.toString()).toBe("c!");
    });

    it("a waiter that gives up (signal) leaves the reply for the next wait", async () => {
      const q = qn();
      const handle = await caller.put(q, "patience");
      const ac = new AbortController();
      const waiting = caller.wait(handle, { timeoutMs: 10_000, signal: ac.signal });
      await sleep(100);
      ac.abort();
      expect(await waiting).toBeNull();
      await answer(q, () => "kept for you");
      expect((await responder.wait(handle, { timeoutMs: 1000 }))!.toString()).toBe("kept for you"); // any engine may collect
    });

    it("a reply collected at the instant its waiter gives up is put back, for the next wait", async () => {
      const q = qn();
      const handle = await caller.put(q, "now or never");
      await answer(q, () => "put back");
      const id = parseReplyHandle(handle).id;
      const expiresAt = await admin.zscore(`tinyqs:{${q}}:reply-expiry`, id);
      const other = responder.wait(handle, { timeoutMs: 5000 }); // another waiter, already listening
      await sleep(100);
      const ac = new AbortController();
      const leaving = caller.wait(handle, { timeoutMs: 0, signal: ac.signal }); // its look is on its way
      ac.abort();
      const [left, got] = await Promise.all([leaving, other]);
      // Either the other waiter's look came first, or the leaver's did and put the reply back,
      // announced, for the other waiter: either way the reply reaches the waiter that stayed.
      expect(left).toBeNull();
      expect(got!.toString()).toBe("put back");
      expect(await caller.wait(handle, { timeoutMs: 0 })).toBeNull();
      // put back with the expiry it had: a second round, deterministic (nobody else waits)
      const h2 = await caller.put(q, "again");
      const m2 = await answer(q, () => "back again");
      const key = `tinyqs:{${q}}:reply-expiry`;
      const before = await admin.zscore(key, m2.id);
      const ac2 = new AbortController();
      const leaving2 = caller.wait(h2, { timeoutMs: 0, signal: ac2.signal });
      ac2.abort();
      expect(await leaving2).toBeNull();
      expect(await admin.zscore(key, m2.id)).toBe(before);
      expect(expiresAt).not.toBeNull();
      expect((await caller.wait(h2, { timeoutMs: 0 }))!.toString()).toBe("back again");
    });

    it("close() ends a waiting wait() with null; request() with an aborted signal sends nothing", async () => {
      const q = qn();
      const e = makeEngine();
      const handle = await e.put(q, "closing");
      const waiting = e.wait(handle, { timeoutMs: 10_000 });
      await sleep(100);
      await e.close();
      expect(await waiting).toBeNull();
      const ac = new AbortController();
      ac.abort();
      await expectCode(() => caller.request(q, "never sent", { signal: ac.signal }), "TIMEOUT", "aborted request");
      expect((await caller.stats(q)).sent).toBe(1);
    });

    it("the reply keys live under the queue's hash tag", async () => {
      const q = qn();
      await caller.put(q, "where");
      const m = await answer(q, () => "here");
      const keys = await queueKeys(admin, q);
      expect(keys).toEqual(expect.arrayContaining([`tinyqs:{${q}}:replies`, `tinyqs:{${q}}:reply-expiry`]));
      expect(await admin.hget(`tinyqs:{${q}}:replies`, m.id)).toBe("here");
      if (opts.cluster) {
        const slots = await Promise.all(keys.map(async (k) => Number(await admin.cluster("KEYSLOT", k))));
        expect(new Set(slots).size).toBe(1);
      }
    });

    it("errors: a bad handle or timeoutMs is BAD_ARGUMENT, a bad queue BAD_NAME, a reply over maxMessageBytes TOO_BIG (nothing changes)", async () => {
      for (const bad of ["", "no-colon", `${qn()}:`, `${qn()}:abc`, "bad name:1-1", ":1-1", `${qn()}:1-1:2`]) {
        await expectCode(() => caller.wait(bad, { timeoutMs: 0 }), "BAD_ARGUMENT", JSON.stringify(bad));
      }
      await expectCode(() => caller.wait(undefined as unknown as string), "BAD_ARGUMENT", "no handle");
      const q = qn();
      await expectCode(() => caller.wait(`${q}:1-1`, { timeoutMs: -1 }), "BAD_ARGUMENT", "negative timeout");
      await expectCode(() => caller.request(q, "x", { timeoutMs: LIMITS.maxWaitMs + 1 }), "BAD_ARGUMENT", "too long a timeout");
      expect((await caller.stats(q)).sent).toBe(0); // the bad request was not sent
      await expectCode(() => caller.put("bad name", "x"), "BAD_NAME", "put");
      await expectCode(() => responder.take("bad name"), "BAD_NAME", "take");
      await expectCode(() => responder.respond("bad name", "1-1.1", "x"), "BAD_NAME", "respond");
      await expectCode(() => responder.respond(q, "", "x"), "BAD_ARGUMENT", "empty receipt");
      await expectCode(() => responder.respond(q, "1-1.1", 42 as unknown as string), "BAD_ARGUMENT", "number body");

      await caller.configure(q, { maxMessageBytes: 10 });
      const handle = await caller.put(q, "small");
      const m = (await responder.take(q))!;
      await expectCode(() => responder.respond(q, m.receipt!, "x".repeat(11)), "TOO_BIG", "big reply");
      expect((await caller.stats(q)).inFlight).toBe(1); // the request is still held
      expect(await responder.respond(q, m.receipt!, "x".repeat(10))).toBe(true);
      expect((await caller.wait(handle, { timeoutMs: 0 }))!.toString()).toBe("x".repeat(10));
    });

    it("put → take → [lease expiry] → respond → wait, 20 times: all answered, nothing left behind", async () => {
      const q = qn();
      const n = 20;
      const handles = await Promise.all(Array.from({ length: n }, (_, i) => caller.put(q, `job ${i}`)));
      const waits = handles.map((h) => caller.wait(h, { timeoutMs: 15_000 }));
      const dropped = await responder.receiveBatch(q, { max: n, visibilityMs: 100 }); // leases that run out
      expect(dropped).toHaveLength(n);
      await sleep(200);
      for (let i = 0; i < n; i++) await answer(q, (b) => `done: ${b}`);
      for (const m of dropped) expect(await responder.respond(q, m.receipt!, "stale")).toBe(false);
      const replies = (await Promise.all(waits)).map((r) => r?.toString());
      expect(replies).toEqual(handles.map((_, i) => `done: job ${i}`));
      expect(await caller.stats(q)).toMatchObject({ ready: 0, inFlight: 0, delayed: 0, sent: n, received: 2 * n, deleted: n });
      const left = (await queueKeys(admin, q)).filter((k) => !k.endsWith(":stats") && !k.endsWith(":config"));
      expect(left).toEqual([]);
    });
  });
}
