// The semantics suite of the engine, written once and run against one Redis (semantics.test.ts) and
// against a 3-master Redis Cluster (semantics-cluster.test.ts). Each describe block maps to the
// numbered points of issue 2 ("Semantics that must hold"). Every test works on its own queue names,
// so the tests run concurrently (they mostly wait on short leases and delays).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TinyQS, TinyQSError, DEFAULTS, LIMITS, type Message, type QueueConfig } from "../src/index.js";
import {
  WAKE_MS,
  eventually,
  expectCode,
  queueKeys,
  sleep,
  timed,
  traces,
  uniqueQueue,
  KEY_KINDS,
  type Admin,
} from "@tinyqs/test-support";

export type EngineOptions = Omit<ConstructorParameters<typeof TinyQS>[0], "redis">;

export interface SemanticsOptions {
  /** true for Redis Cluster: dead letters reach the DLQ eventually (outbox hand-off), not atomically. */
  cluster: boolean;
  /** An admin client on the same Redis, to look at keys. The suite closes it. */
  admin: () => Admin;
  /** A fresh queue name (the cluster suite spreads them over its masters). */
  queueName?: () => string;
}

const MiB = 1024 * 1024;
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

const idTime = (id: string) => Number(id.split("-")[0]);
const bodies = (ms: (Message | null)[]) => ms.map((m) => m?.body.toString() ?? null);

export function describeSemantics(label: string, makeEngine: (options?: EngineOptions) => TinyQS, opts: SemanticsOptions) {
  const qn = opts.queueName ?? (() => uniqueQueue());

  describe.concurrent(`engine semantics on ${label}`, () => {
    let tq: TinyQS;
    let admin: Admin;
    const extra: TinyQS[] = [];
    /** Another engine on the same Redis (own connections), closed after the suite. */
    const another = (o?: EngineOptions) => {
      const e = makeEngine(o);
      extra.push(e);
      return e;
    };

    beforeAll(() => {
      tq = makeEngine();
      admin = opts.admin();
    });
    afterAll(async () => {
      await Promise.all([tq, ...extra].map((e) => e.close().catch(() => {})));
      admin.disconnect();
    });

    /** A dead-letter hand-off is atomic on one Redis and eventual on Cluster: wait for it there. */
    const dlqReceive = async (dlq: string) => {
      const m = await tq.receive(dlq, { waitMs: opts.cluster ? 5000 : 0 });
      return m;
    };

    // ------------------------------------------------------------------------------------------
    describe("basics", () => {
      it("send returns an id <sentAt>-<seq>; receive reserves the message with receipt <id>.1", async () => {
        const q = qn();
        const before = Date.now();
        const id = await tq.send(q, "hello");
        expect(id).toMatch(/^\d+-\d+$/);
        expect(Math.abs(idTime(id) - before)).toBeLessThan(5000);
        const m = await tq.receive(q);
        expect(m).not.toBeNull();
        expect(m!.queue).toBe(q);
        expect(m!.id).toBe(id);
        expect(m!.receipt).toBe(`${id}.1`);
        expect(Buffer.isBuffer(m!.body)).toBe(true);
        expect(m!.body.toString()).toBe("hello");
        expect(m!.receiveCount).toBe(1);
        expect(m!.sentAt).toBe(idTime(id));
        expect(await tq.receive(q)).toBeNull();
      });

      it("ids are unique and numbered in send order", async () => {
        const q = qn();
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push(await tq.send(q, String(i)));
        ids.push(...(await tq.sendBatch(q, ["5", "6", "7"])));
        ids.push(...(await Promise.all([tq.send(q, "x"), tq.send(q, "y")])));
        expect(new Set(ids).size).toBe(ids.length);
        const seqs = ids.slice(0, 8).map((id) => Number(id.split("-")[1]));
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      });

      it("receive on an empty queue answers null at once; with waitMs it waits that long", async () => {
        const q = qn();
        const a = await timed(tq.receive(q));
        expect(a.value).toBeNull();
        expect(a.ms).toBeLessThan(1000);
        const b = await timed(tq.receive(q, { waitMs: 300 }));
        expect(b.value).toBeNull();
        expect(b.ms).toBeGreaterThanOrEqual(250);
        expect(b.ms).toBeLessThan(300 + 2000);
      });

      it("a queue name of 128 characters from the whole alphabet works", async () => {
        const q = (qn() + "_AZaz09.-" + "x".repeat(128)).slice(0, 128);
        expect(q.length).toBe(128);
        await tq.send(q, "long name");
        expect((await tq.receive(q))!.body.toString()).toBe("long name");
      });

      it("a closed engine refuses with CLOSED", async () => {
        const e = another();
        const q = qn();
        await e.send(q, "x");
        await e.close();
        await expectCode(() => e.send(q, "y"), "CLOSED", "send after close");
        await expectCode(() => e.receive(q), "CLOSED", "receive after close");
      });
    });

    // ------------------------------------------------------------------------------------------
    describe("1. one holder", () => {
      it("50 concurrent receives (3 engines) of one message: exactly one gets it", async () => {
        const q = qn();
        await tq.send(q, "only");
        const engines = [tq, another(), another()];
        const got = await Promise.all(
          Array.from({ length: 50 }, (_, i) => engines[i % 3]!.receive(q, { visibilityMs: 10_000 })),
        );
        expect(got.filter((m) => m !== null)).toHaveLength(1);
      });

      it("concurrent receivers over 200 messages: no message is held twice", async () => {
        const q = qn();
        await tq.sendBatch(q, Array.from({ length: 200 }, (_, i) => String(i)));
        const engines = [tq, another()];
        const seen: string[] = [];
        await Promise.all(
          Array.from({ length: 20 }, async (_, i) => {
            const e = engines[i % 2]!;
            for (;;) {
              const m = i % 4 === 0
                ? await e.receiveBatch(q, { max: 7, visibilityMs: 20_000 })
                : [await e.receive(q, { visibilityMs: 20_000 })].filter((x): x is Message => x !== null);
              if (m.length === 0) return;
              seen.push(...m.map((x) => x.body.toString()));
            }
          }),
        );
        expect(seen).toHaveLength(200);
        expect(new Set(seen).size).toBe(200);
      });
    });

    // ------------------------------------------------------------------------------------------
    describe("2. leases end by themselves; receipts are fencing tokens", () => {
      it("an expired reservation comes back with receiveCount 2; the old receipt is stale and changes nothing", async () => {
        const q = qn();
        const id = await tq.send(q, "lease");
        const first = (await tq.receive(q, { visibilityMs: 200 }))!;
        expect(first.receiveCount).toBe(1);
        expect(await tq.receive(q)).toBeNull(); // held
        await sleep(300);
        // lease over: the old receipt can do nothing
        expect(await tq.touch(q, first.receipt!, { visibilityMs: 10_000 })).toBe(false);
        expect(await tq.release(q, first.receipt!)).toBe(false);
        expect(await tq.delete(q, first.receipt!)).toBe(false);
        const s = await tq.stats(q);
        expect(s.deleted).toBe(0);
        expect(s.ready + s.inFlight + s.delayed).toBe(1);
        const second = (await tq.receive(q, { visibilityMs: 10_000 }))!;
        expect(second.id).toBe(id);
        expect(second.receiveCount).toBe(2);
        expect(second.receipt).toBe(`${id}.2`);
        expect(second.body.toString()).toBe("lease");
        // the old receipt stays stale while the message is held again
        expect(await tq.delete(q, first.receipt!)).toBe(false);
        expect(await tq.release(q, first.receipt!)).toBe(false);
        expect(await tq.touch(q, first.receipt!)).toBe(false);
        expect((await tq.stats(q)).inFlight).toBe(1);
        expect(await tq.receive(q)).toBeNull();
        expect(await tq.delete(q, second.receipt!)).toBe(true);
      });

      it("a receiver already long-polling gets an expired message by itself", async () => {
        const q = qn();
        await tq.send(q, "comes back");
        const first = (await tq.receive(q, { visibilityMs: 300 }))!;
        const t0 = Date.now();
        const other = another();
        const second = await other.receive(q, { waitMs: 5000 });
        const waited = Date.now() - t0;
        expect(second?.id).toBe(first.id);
        expect(second?.receiveCount).toBe(2);
        expect(waited).toBeGreaterThanOrEqual(200);
        expect(waited).toBeLessThan(300 + WAKE_MS);
      });
    });

    // ------------------------------------------------------------------------------------------
    describe("receiveCount counts every delivery", () => {
      it("release, expiry, receiveBatch and peek agree on the count", async () => {
        const q = qn();
        const id = await tq.send(q, "n");
        const m1 = (await tq.receive(q))!;
        expect(m1.receiveCount).toBe(1);
        expect(await tq.release(q, m1.receipt!)).toBe(true);
        expect((await tq.peek(q))!.receiveCount).toBe(1);
        const m2 = (await tq.receive(q, { visibilityMs: 150 }))!;
        expect(m2.receiveCount).toBe(2);
        await sleep(250);
        const [m3] = await tq.receiveBatch(q, { max: 5 });
        expect(m3!.id).toBe(id);
        expect(m3!.receiveCount).toBe(3);
        expect(m3!.receipt).toBe(`${id}.3`);
        expect(await tq.release(q, m3!.receipt!)).toBe(true);
        const m4 = (await tq.receive(q))!;
        expect(m4.receiveCount).toBe(4);
        const s = await tq.stats(q);
        expect(s.received).toBe(4);
        expect(s.sent).toBe(1);
      });
    });

    // ------------------------------------------------------------------------------------------
    describe("3. dead letters", () => {
      it("with maxReceives 2 the third delivery goes to <queue>.dead under a new id with a fresh count", async () => {
        const q = qn();
        const dlq = `${q}.dead`;
        await tq.configure(q, { maxReceives: 2 });
        expect((await tq.getConfig(q)).deadLetterQueue).toBe(dlq);
        // the DLQ numbers its own ids: make its numbering differ from the source's
        const earlier = await tq.sendBatch(dlq, ["p1", "p2", "p3"]);
        expect(await tq.purge(dlq)).toBe(3);
        const id = await tq.send(q, ALL_BYTES);
        for (let n = 1; n <= 2; n++) {
          const m = (await tq.receive(q))!;
          expect(m.receiveCount).toBe(n);
          expect(await tq.release(q, m.receipt!)).toBe(true);
        }
        expect(await tq.receive(q)).toBeNull(); // the 3rd delivery: dead-lettered instead
        const s = await tq.stats(q);
        expect(s).toMatchObject({ ready: 0, inFlight: 0, delayed: 0, deadLettered: 1, received: 2 });
        if (!opts.cluster) expect((await tq.stats(dlq)).ready).toBe(1); // atomic on one Redis

        const d = await dlqReceive(dlq);
        expect(d).not.toBeNull();
        expect(d!.queue).toBe(dlq);
        expect(d!.id).not.toBe(id);
        expect(earlier).not.toContain(d!.id);
        expect(d!.id).toMatch(/^\d+-\d+$/);
        expect(idTime(d!.id)).toBe(idTime(id)); // keeps its sentAt
        expect(d!.sentAt).toBe(idTime(id));
        expect(d!.receiveCount).toBe(1);
        expect(d!.receipt).toBe(`${d!.id}.1`);
        expect(d!.body.equals(ALL_BYTES)).toBe(true);
        expect(await tq.delete(dlq, d!.receipt!)).toBe(true);

        // never duplicated, and nothing of it left in the source queue
        expect(await tq.receive(dlq, { waitMs: opts.cluster ? 400 : 0 })).toBeNull();
        expect(await tq.receive(q)).toBeNull();
        expect(await tq.delete(q, id)).toBe(false); // gone from the source
        await eventually(async () => (await traces(admin, q, [id])).length === 0, 3000);
        if (opts.cluster) {
          // the hand-off finishes: the source's outbox empties
          await eventually(async () => {
            const keys = await queueKeys(admin, q);
            const outbox = keys.find((k) => k.endsWith(":outbox"));
            const outboxBodies = keys.find((k) => k.endsWith(":outbox-bodies"));
            return (!outbox || (await admin.llen(outbox)) === 0) && (!outboxBodies || (await admin.hlen(outboxBodies)) === 0);
          }, 3000);
        }
      });

      it("a custom deadLetterQueue receives it, after expiries (maxReceives 1)", async () => {
        const q = qn();
        const custom = qn();
        const cfg = await tq.configure(q, { maxReceives: 1, deadLetterQueue: custom, visibilityMs: 150 });
        expect(cfg).toMatchObject({ maxReceives: 1, deadLetterQueue: custom, visibilityMs: 150 });
        const id = await tq.send(q, "to custom");
        const m = (await tq.receive(q))!; // uses the queue's visibilityMs
        expect(m.receiveCount).toBe(1);
        await sleep(250);
        expect(await tq.receive(q)).toBeNull();
        expect((await tq.stats(q)).deadLettered).toBe(1);
        const d = await dlqReceive(custom);
        expect(d?.body.toString()).toBe("to custom");
        expect(d!.sentAt).toBe(idTime(id));
        expect(d!.receiveCount).toBe(1);
        expect((await tq.stats(`${q}.dead`)).ready).toBe(0);
        expect(await tq.receive(`${q}.dead`)).toBeNull();
      });

      it("a long-polling receiver of the queue is not handed the dead letter; the DLQ's own waiter gets it", async () => {
        const q = qn();
        const dlq = `${q}.dead`;
        await tq.configure(q, { maxReceives: 1 });
        await tq.send(q, "dl");
        await tq.receive(q, { visibilityMs: 200 });
        const dlqWaiter = another().receive(dlq, { waitMs: 5000 });
        const srcWaiter = await tq.receive(q, { waitMs: 700 }); // lease ends while waiting → dead-lettered
        expect(srcWaiter).toBeNull();
        const t0 = Date.now();
        const d = await dlqWaiter;
        expect(d?.body.toString()).toBe("dl");
        expect(Date.now() - t0).toBeLessThan(3000);
        expect((await tq.stats(q)).deadLettered).toBe(1);
      });

      it("receiveBatch dead-letters the over-delivered ones and delivers the rest", async () => {
        const q = qn();
        await tq.configure(q, { maxReceives: 1 });
        await tq.sendBatch(q, ["a", "b", "c"]);
        const first = await tq.receiveBatch(q, { max: 10 });
        expect(first).toHaveLength(3);
        for (const m of first) expect(await tq.release(q, m.receipt!)).toBe(true);
        await tq.send(q, "fresh");
        const second = await tq.receiveBatch(q, { max: 10 });
        expect(bodies(second)).toEqual(["fresh"]);
        expect((await tq.stats(q)).deadLettered).toBe(3);
        const dlq = `${q}.dead`;
        const got: string[] = [];
        await eventually(async () => {
          got.push(...bodies(await tq.receiveBatch(dlq, { max: 10 })).map(String));
          return got.length >= 3;
        }, 5000);
        await sleep(opts.cluster ? 300 : 0);
        got.push(...bodies(await tq.receiveBatch(dlq, { max: 10 })).map(String));
        expect(got.sort()).toEqual(["a", "b", "c"]);
      });

      it("a dead-letter queue set by another engine is honoured by this one", async () => {
        const q = qn();
        const custom = qn();
        await tq.send(q, "x");
        const m = (await tq.receive(q))!; // this engine has now seen the queue with its defaults
        await tq.release(q, m.receipt!);
        await another().configure(q, { maxReceives: 1, deadLetterQueue: custom });
        expect(await tq.receive(q)).toBeNull(); // 2nd delivery → dead letter
        const d = await dlqReceive(custom);
        expect(d?.body.toString()).toBe("x");
        expect((await tq.stats(`${q}.dead`)).ready).toBe(0);
      });

      it("maxReceives on a queue whose default <queue>.dead would be too long needs an explicit deadLetterQueue", async () => {
        const q = (qn() + "x".repeat(128)).slice(0, 125); // "<q>.dead" = 130 characters
        const e = await expectCode(() => tq.configure(q, { maxReceives: 1 }), "BAD_NAME", "configure maxReceives");
        expect(e.message).toBe(`the default dead-letter queue of ${q} would be "${q}.dead", longer than 128 characters: set deadLetterQueue`);
        expect((await tq.getConfig(q)).maxReceives).toBe(0);
        const dlq = qn();
        expect(await tq.configure(q, { maxReceives: 1, deadLetterQueue: dlq })).toMatchObject({ maxReceives: 1, deadLetterQueue: dlq });
      });

      it("maxReceives 0 never dead-letters", async () => {
        const q = qn();
        await tq.send(q, "forever");
        for (let n = 1; n <= 6; n++) {
          const m = (await tq.receive(q))!;
          expect(m.receiveCount).toBe(n);
          await tq.release(q, m.receipt!);
        }
        expect((await tq.stats(q)).deadLettered).toBe(0);
      });
    });

    // ------------------------------------------------------------------------------------------
    describe("4. delayed and released-with-delay messages", () => {
      it("a delayed message is invisible until due, then a long-polling receiver gets it at once", async () => {
        const q = qn();
        const t0 = Date.now();
        const id = await tq.send(q, "later", { delayMs: 400 });
        expect(await tq.receive(q)).toBeNull();
        expect(await tq.peek(q)).toBeNull();
        expect(await tq.stats(q)).toMatchObject({ ready: 0, delayed: 1, inFlight: 0 });
        const m = await tq.receive(q, { waitMs: 5000 });
        const at = Date.now() - t0;
        expect(m?.id).toBe(id);
        expect(m!.receiveCount).toBe(1);
        expect(at).toBeGreaterThanOrEqual(350);
        expect(at).toBeLessThan(400 + WAKE_MS);
      });

      it("a receiver waiting on an empty queue gets a delayed message sent later, when it is due", async () => {
        const q = qn();
        const t0 = Date.now();
        const waiting = tq.receive(q, { waitMs: 5000 });
        await sleep(100);
        await tq.send(q, "d", { delayMs: 300 });
        const m = await waiting;
        const at = Date.now() - t0;
        expect(m?.body.toString()).toBe("d");
        expect(at).toBeGreaterThanOrEqual(350);
        expect(at).toBeLessThan(400 + WAKE_MS);
      });

      it("a sooner delayed message wakes a waiter that was waiting for a later one", async () => {
        const q = qn();
        await tq.send(q, "far", { delayMs: 60_000 });
        const t0 = Date.now();
        const waiting = another().receive(q, { waitMs: 5000 });
        await sleep(100);
        await tq.send(q, "near", { delayMs: 200 });
        const m = await waiting;
        expect(m?.body.toString()).toBe("near");
        expect(Date.now() - t0).toBeLessThan(300 + WAKE_MS);
        expect((await tq.stats(q)).delayed).toBe(1);
      });

      it("a release with delayMs comes back at its time, also to a waiting receiver", async () => {
        const q = qn();
        const id = await tq.send(q, "r");
        const m = (await tq.receive(q))!;
        const t0 = Date.now();
        expect(await tq.release(q, m.receipt!, { delayMs: 400 })).toBe(true);
        expect(await tq.stats(q)).toMatchObject({ ready: 0, inFlight: 0, delayed: 1 });
        expect(await tq.receive(q)).toBeNull();
        const again = await tq.receive(q, { waitMs: 5000 });
        const at = Date.now() - t0;
        expect(again?.id).toBe(id);
        expect(again!.receiveCount).toBe(2);
        expect(at).toBeGreaterThanOrEqual(350);
        expect(at).toBeLessThan(400 + WAKE_MS);
      });

      it("delayed messages come out in due order, after what was already ready", async () => {
        const q = qn();
        await tq.send(q, "x", { delayMs: 300 });
        await tq.send(q, "y", { delayMs: 100 });
        await tq.send(q, "r");
        await sleep(400);
        const got = [await tq.receive(q), await tq.receive(q), await tq.receive(q)];
        expect(bodies(got)).toEqual(["r", "y", "x"]);
      });

      it("sendBatch with delayMs delays every message", async () => {
        const q = qn();
        const ids = await tq.sendBatch(q, ["a", "b"], { delayMs: 250 });
        expect(ids).toHaveLength(2);
        expect((await tq.stats(q)).delayed).toBe(2);
        expect(await tq.receiveBatch(q, { max: 10 })).toEqual([]);
        const got = await tq.receiveBatch(q, { max: 10, waitMs: 3000 });
        await sleep(50);
        got.push(...(await tq.receiveBatch(q, { max: 10 })));
        expect(bodies(got)).toEqual(["a", "b"]);
      });
    });

    // ------------------------------------------------------------------------------------------
    describe("5. order: oldest first; expired and released messages re-enter at the tail", () => {
      it("receive and receiveBatch hand out messages in send order", async () => {
        const q = qn();
        const sent = Array.from({ length: 20 }, (_, i) => `m${i}`);
        for (const b of sent.slice(0, 10)) await tq.send(q, b);
        await tq.sendBatch(q, sent.slice(10));
        const got: (Message | null)[] = [];
        for (let i = 0; i < 5; i++) got.push(await tq.receive(q));
        got.push(...(await tq.receiveBatch(q, { max: 8 })));
        got.push(...(await tq.receiveBatch(q, { max: 100 })));
        expect(bodies(got)).toEqual(sent);
      });

      it("an expired message re-enters behind the messages that were ready", async () => {
        const q = qn();
        await tq.sendBatch(q, ["a", "b", "c"]);
        const a = (await tq.receive(q, { visibilityMs: 150 }))!;
        expect(a.body.toString()).toBe("a");
        await sleep(250);
        const got = [await tq.receive(q), await tq.receive(q), await tq.receive(q)];
        expect(bodies(got)).toEqual(["b", "c", "a"]);
        expect(got[2]!.receiveCount).toBe(2);
      });

      it("a released message re-enters at the tail", async () => {
        const q = qn();
        await tq.sendBatch(q, ["a", "b", "c"]);
        const a = (await tq.receive(q))!;
        expect(await tq.release(q, a.receipt!)).toBe(true);
        await tq.send(q, "d");
        const got = await tq.receiveBatch(q, { max: 10 });
        expect(bodies(got)).toEqual(["b", "c", "a", "d"]);
      });
    });

    // ------------------------------------------------------------------------------------------
    describe("6. long polling is woken by sends", () => {
      it("a waiting receive returns as soon as a message is sent", async () => {
        const q = qn();
        const t0 = Date.now();
        const waiting = tq.receive(q, { waitMs: 5000 });
        await sleep(100);
        const id = await another().send(q, "wake up");
        const m = await waiting;
        expect(m?.id).toBe(id);
        expect(Date.now() - t0).toBeLessThan(100 + WAKE_MS);
      });

      it("a waiting receiveBatch returns as soon as at least one message is there", async () => {
        const q = qn();
        const t0 = Date.now();
        const waiting = tq.receiveBatch(q, { max: 10, waitMs: 5000 });
        await sleep(100);
        await tq.send(q, "one");
        const got = await waiting;
        expect(got.length).toBeGreaterThanOrEqual(1);
        expect(got[0]!.body.toString()).toBe("one");
        expect(Date.now() - t0).toBeLessThan(100 + WAKE_MS);
      });

      it("a batch sent to 5 waiters wakes 3 of them with one message each; the others time out", async () => {
        const q = qn();
        const engines = [tq, another()];
        const t0 = Date.now();
        const waiters = Array.from({ length: 5 }, (_, i) =>
          engines[i % 2]!.receive(q, { waitMs: 1500 }).then((m) => ({ m, at: Date.now() - t0 })),
        );
        await sleep(150);
        await tq.sendBatch(q, ["a", "b", "c"]);
        const res = await Promise.all(waiters);
        const got = res.filter((r) => r.m !== null);
        expect(got.map((r) => r.m!.body.toString()).sort()).toEqual(["a", "b", "c"]);
        for (const r of got) expect(r.at).toBeLessThan(150 + WAKE_MS);
      });

      it("a burst reaches every waiter: 40 waiters of two engines, 40 messages in one batch, one each", async () => {
        const q = qn();
        const engines = [tq, another()];
        const N = 40;
        const waiters = Array.from({ length: N }, (_, i) => engines[i % 2]!.receive(q, { waitMs: 10_000 }));
        await sleep(150);
        await tq.sendBatch(q, Array.from({ length: N }, (_, i) => String(i)));
        const got = await Promise.all(waiters);
        expect(got.map((m) => Number(m?.body.toString())).sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
      });

      it("a waiter that gave up does not take the wake: the one behind it gets the message", async () => {
        const q = qn();
        const ac = new AbortController();
        const first = tq.receive(q, { waitMs: 10_000, signal: ac.signal });
        await sleep(50);
        const second = tq.receive(q, { waitMs: 10_000 });
        await sleep(100);
        ac.abort(); // the longest waiter leaves just as the send's wake comes for it
        await tq.send(q, "for whoever waits");
        expect(await first).toBeNull();
        expect((await second)?.body.toString()).toBe("for whoever waits");
      });

      it("an aborted wait gives up promptly and reserves nothing", async () => {
        const q = qn();
        const ac = new AbortController();
        const t0 = Date.now();
        const waiting = tq.receive(q, { waitMs: 10_000, signal: ac.signal }).then(
          (v) => ({ v }),
          (e: unknown) => ({ e }),
        );
        await sleep(100);
        ac.abort();
        const r = await waiting;
        expect(Date.now() - t0).toBeLessThan(100 + 1000);
        if ("v" in r) expect(r.v).toBeNull();
        await tq.send(q, "after abort");
        const m = await tq.receive(q);
        expect(m?.body.toString()).toBe("after abort");
        expect(m!.receiveCount).toBe(1);
      });

      it("aborting waiters while messages arrive loses nothing: what was not handed out is ready again, undelivered", async () => {
        const q = qn();
        const N = 30;
        const acs = Array.from({ length: N }, () => new AbortController());
        const engines = [tq, another()];
        const waits = acs.map((ac, i) =>
          engines[i % 2]!.receive(q, { waitMs: 5000, visibilityMs: 60_000, signal: ac.signal }).catch(() => null),
        );
        await sleep(100);
        const sending = tq.sendBatch(q, Array.from({ length: N }, (_, i) => String(i)));
        acs.slice(0, 3).forEach((ac) => ac.abort()); // before the send lands
        await sending;
        // the others at spread moments while the wake-ups go out and the receives run
        acs.slice(3).forEach((ac, i) => setTimeout(() => ac.abort(), i / 3));
        const results = await Promise.all(waits);
        const handedOut = results.filter((m): m is Message => m !== null);
        if (process.env.TINYQS_TEST_DEBUG) console.log(`abort race: ${handedOut.length} of ${N} handed out`);
        for (const m of handedOut) expect(m.receiveCount).toBe(1);
        // every message is either held by the caller it was handed to, or ready again
        await eventually(async () => {
          const s = await tq.stats(q);
          return s.inFlight === handedOut.length && s.ready === N - handedOut.length;
        }, 3000);
        const rest = await tq.receiveBatch(q, { max: N });
        expect(rest).toHaveLength(N - handedOut.length);
        expect(new Set([...handedOut, ...rest].map((m) => m.body.toString())).size).toBe(N);
        // a delivery taken back is not counted
        for (const m of rest) expect(m.receiveCount).toBe(1);
        expect((await tq.stats(q)).received).toBe(N);
      });
    });

    // ------------------------------------------------------------------------------------------
    describe("peek", () => {
      it("shows the next ready message without reserving it (receipt null)", async () => {
        const q = qn();
        expect(await tq.peek(q)).toBeNull();
        const id = await tq.send(q, "first");
        await tq.send(q, "second");
        const p1 = (await tq.peek(q))!;
        const p2 = (await tq.peek(q))!;
        expect(p1).toMatchObject({ queue: q, id, receipt: null, receiveCount: 0, sentAt: idTime(id) });
        expect(p1.body.toString()).toBe("first");
        expect(p2.id).toBe(id);
        expect(await tq.stats(q)).toMatchObject({ ready: 2, inFlight: 0, received: 0 });
        const m = (await tq.receive(q))!;
        expect(m.id).toBe(id);
        expect(m.receiveCount).toBe(1);
        expect((await tq.peek(q))!.body.toString()).toBe("second");
      });

      it("a waiting peek is woken by a send", async () => {
        const q = qn();
        const t0 = Date.now();
        const waiting = tq.peek(q, { waitMs: 5000 });
        await sleep(100);
        await tq.send(q, "peekaboo");
        const p = await waiting;
        expect(p?.body.toString()).toBe("peekaboo");
        expect(p!.receipt).toBeNull();
        expect(Date.now() - t0).toBeLessThan(100 + WAKE_MS);
        expect((await tq.receive(q))!.receiveCount).toBe(1);
      });
    });

    // ------------------------------------------------------------------------------------------
    describe("batches", () => {
      it("sendBatch stores all in order; receiveBatch takes up to max", async () => {
        const q = qn();
        const ids = await tq.sendBatch(q, Array.from({ length: 10 }, (_, i) => `b${i}`));
        expect(ids).toHaveLength(10);
        expect(new Set(ids).size).toBe(10);
        const a = await tq.receiveBatch(q, { max: 4 });
        expect(a.map((m) => m.id)).toEqual(ids.slice(0, 4));
        const b = await tq.receiveBatch(q, { max: 100 });
        expect(b.map((m) => m.id)).toEqual(ids.slice(4));
        expect(await tq.receiveBatch(q, { max: 5 })).toEqual([]);
        for (const m of [...a, ...b]) {
          expect(m.receipt).toBe(`${m.id}.1`);
          expect(await tq.delete(q, m.receipt!)).toBe(true);
        }
        expect(await tq.stats(q)).toMatchObject({ ready: 0, inFlight: 0, sent: 10, received: 10, deleted: 10 });
      });

      it("receiveBatch's visibilityMs applies to every message", async () => {
        const q = qn();
        await tq.sendBatch(q, ["a", "b", "c"]);
        expect(await tq.receiveBatch(q, { max: 3, visibilityMs: 150 })).toHaveLength(3);
        expect((await tq.stats(q)).inFlight).toBe(3);
        await sleep(250);
        const again = await tq.receiveBatch(q, { max: 10 });
        expect(again.map((m) => m.receiveCount)).toEqual([2, 2, 2]);
      });

      it("a batch with one body over the limit is refused whole with TOO_BIG", async () => {
        const q = qn();
        await tq.configure(q, { maxMessageBytes: 100 });
        await expectCode(() => tq.sendBatch(q, ["ok", Buffer.alloc(101), "ok too"]), "TOO_BIG", "sendBatch");
        expect(await tq.stats(q)).toMatchObject({ ready: 0, sent: 0 });
        expect(await tq.receive(q)).toBeNull();
      });
    });

    // ------------------------------------------------------------------------------------------
    describe("delete", () => {
      it("by id removes the message whatever its state, and leaves nothing behind", async () => {
        const q = qn();
        const ready = await tq.send(q, "ready");
        const delayed = await tq.send(q, "delayed", { delayMs: 60_000 });
        const inflight = await tq.send(q, "inflight");
        const releasedLater = await tq.send(q, "released later");
        const expired = await tq.send(q, "expired");
        // order of receives: ready is first in line, so take the others around it
        expect(await tq.delete(q, ready)).toBe(true);
        const m1 = (await tq.receive(q))!;
        expect(m1.id).toBe(inflight);
        const m2 = (await tq.receive(q))!;
        expect(m2.id).toBe(releasedLater);
        await tq.release(q, m2.receipt!, { delayMs: 60_000 });
        const m3 = (await tq.receive(q, { visibilityMs: 100 }))!;
        expect(m3.id).toBe(expired);
        await sleep(200); // lease over, not yet taken back by a receive
        // (the inspection does see messages that exist: each is in its state's key and in bodies)
        for (const id of [delayed, inflight, releasedLater, expired]) {
          expect((await traces(admin, q, [id])).length, id).toBeGreaterThanOrEqual(2);
        }
        for (const id of [delayed, inflight, releasedLater, expired]) {
          expect(await tq.delete(q, id), id).toBe(true);
        }
        for (const id of [ready, delayed, inflight, releasedLater, expired]) {
          expect(await tq.delete(q, id), `again ${id}`).toBe(false);
        }
        expect(await tq.stats(q)).toMatchObject({ ready: 0, inFlight: 0, delayed: 0, deleted: 5 });
        expect(await tq.receive(q)).toBeNull();
        expect(await tq.release(q, m1.receipt!)).toBe(false);
        expect(await traces(admin, q, [ready, delayed, inflight, releasedLater, expired])).toEqual([]);
      });

      it("by receipt only while it is the current reservation", async () => {
        const q = qn();
        const id = await tq.send(q, "x");
        const m1 = (await tq.receive(q))!;
        expect(await tq.release(q, m1.receipt!)).toBe(true);
        expect(await tq.delete(q, m1.receipt!)).toBe(false); // not reserved any more
        const m2 = (await tq.receive(q))!;
        expect(await tq.delete(q, `${id}.7`)).toBe(false); // wrong delivery number
        expect(await tq.delete(q, m1.receipt!)).toBe(false); // stale
        expect(await tq.stats(q)).toMatchObject({ inFlight: 1, deleted: 0 });
        expect(await tq.delete(q, m2.receipt!)).toBe(true);
        expect(await tq.delete(q, m2.receipt!)).toBe(false);
        expect(await tq.stats(q)).toMatchObject({ ready: 0, inFlight: 0, deleted: 1 });
        expect(await traces(admin, q, [id])).toEqual([]);
      });

      it("unknown ids and receipts answer false and change nothing", async () => {
        const q = qn();
        const id = await tq.send(q, "stay");
        expect(await tq.delete(q, "1-1")).toBe(false);
        expect(await tq.delete(q, "1-1.1")).toBe(false);
        expect(await tq.delete(q, `${id}.1`)).toBe(false); // never received
        expect(await tq.delete(qn(), id)).toBe(false); // other queue
        expect(await tq.stats(q)).toMatchObject({ ready: 1, deleted: 0 });
      });
    });

    // ------------------------------------------------------------------------------------------
    describe("touch and release", () => {
      it("touch extends the reservation to visibilityMs from now", async () => {
        const q = qn();
        await tq.send(q, "t");
        const m = (await tq.receive(q, { visibilityMs: 300 }))!;
        await sleep(150);
        expect(await tq.touch(q, m.receipt!, { visibilityMs: 2000 })).toBe(true);
        await sleep(300); // past the original lease
        expect(await tq.receive(q)).toBeNull();
        expect((await tq.stats(q)).inFlight).toBe(1);
        expect(await tq.touch(q, m.receipt!, { visibilityMs: 100 })).toBe(true); // shortens too
        await sleep(200);
        const again = (await tq.receive(q))!;
        expect(again.receiveCount).toBe(2);
        expect(await tq.touch(q, m.receipt!)).toBe(false);
      });

      it("touch without visibilityMs uses the queue's visibilityMs", async () => {
        const q = qn();
        await tq.configure(q, { visibilityMs: 1500 });
        await tq.send(q, "t");
        const m = (await tq.receive(q, { visibilityMs: 100 }))!;
        expect(await tq.touch(q, m.receipt!)).toBe(true);
        await sleep(250);
        expect(await tq.receive(q)).toBeNull();
        expect(await tq.delete(q, m.receipt!)).toBe(true);
      });

      it("touch and release with unknown receipts answer false", async () => {
        const q = qn();
        await tq.send(q, "x");
        expect(await tq.touch(q, "1-1.1")).toBe(false);
        expect(await tq.release(q, "1-1.1")).toBe(false);
        expect(await tq.stats(q)).toMatchObject({ ready: 1, inFlight: 0 });
      });

      it("release makes the message ready at once; the receipt is then stale", async () => {
        const q = qn();
        const id = await tq.send(q, "rel");
        const m = (await tq.receive(q))!;
        expect(await tq.release(q, m.receipt!)).toBe(true);
        expect(await tq.release(q, m.receipt!)).toBe(false);
        expect(await tq.touch(q, m.receipt!)).toBe(false);
        expect(await tq.stats(q)).toMatchObject({ ready: 1, inFlight: 0 });
        const again = (await tq.receive(q))!;
        expect(again.id).toBe(id);
        expect(again.receiveCount).toBe(2);
      });
    });

    // ------------------------------------------------------------------------------------------
    describe("configure and getConfig", () => {
      it("a fresh queue has the defaults", async () => {
        const q = qn();
        const cfg: QueueConfig = await tq.getConfig(q);
        expect(cfg).toEqual({
          visibilityMs: DEFAULTS.visibilityMs,
          maxReceives: 0,
          deadLetterQueue: `${q}.dead`,
          maxMessageBytes: DEFAULTS.maxMessageBytes,
          replyTtlMs: DEFAULTS.replyTtlMs,
          dedupWindowMs: DEFAULTS.dedupWindowMs,
          paused: false,
        });
      });

      it("configure merges the changes, returns the whole config, and other engines see it", async () => {
        const q = qn();
        const a = await tq.configure(q, { visibilityMs: 1234 });
        expect(a).toEqual({ visibilityMs: 1234, maxReceives: 0, deadLetterQueue: `${q}.dead`, maxMessageBytes: MiB, replyTtlMs: 300_000, dedupWindowMs: 300_000, paused: false });
        const b = await tq.configure(q, { maxReceives: 3, maxMessageBytes: 64 * MiB });
        expect(b).toEqual({ visibilityMs: 1234, maxReceives: 3, deadLetterQueue: `${q}.dead`, maxMessageBytes: 64 * MiB, replyTtlMs: 300_000, dedupWindowMs: 300_000, paused: false });
        expect(await tq.getConfig(q)).toEqual(b);
        expect(await another().getConfig(q)).toEqual(b);
      });

      it("the queue's visibilityMs is the default lease of receive", async () => {
        const q = qn();
        await tq.configure(q, { visibilityMs: 150 });
        await tq.send(q, "v");
        await tq.receive(q);
        expect(await tq.receive(q)).toBeNull();
        await sleep(250);
        expect((await tq.receive(q))?.receiveCount).toBe(2);
      });

      it("bad settings are refused and change nothing", async () => {
        const q = qn();
        const before = await tq.configure(q, { visibilityMs: 5000 });
        const bad: [Partial<QueueConfig>, string][] = [
          [{ visibilityMs: -1 }, "BAD_ARGUMENT"],
          [{ visibilityMs: 1.5 }, "BAD_ARGUMENT"],
          [{ visibilityMs: "100" as never }, "BAD_ARGUMENT"],
          [{ visibilityMs: NaN }, "BAD_ARGUMENT"],
          [{ visibilityMs: LIMITS.maxVisibilityMs + 1 }, "BAD_ARGUMENT"],
          [{ maxReceives: -1 }, "BAD_ARGUMENT"],
          [{ maxReceives: 2.5 }, "BAD_ARGUMENT"],
          [{ maxReceives: LIMITS.maxReceives + 1 }, "BAD_ARGUMENT"],
          [{ maxMessageBytes: -1 }, "BAD_ARGUMENT"],
          [{ maxMessageBytes: LIMITS.maxMessageBytesCeiling + 1 }, "BAD_ARGUMENT"],
          [{ deadLetterQueue: "a:b" }, "BAD_NAME"],
          [{ deadLetterQueue: "" }, "BAD_NAME"],
          [{ deadLetterQueue: "x".repeat(129) }, "BAD_NAME"],
          [{ deadLetterQueue: 5 as never }, "BAD_NAME"],
          [{ visibilityMs: 100, maxReceives: -5 }, "BAD_ARGUMENT"],
        ];
        for (const [changes, code] of bad) await expectCode(() => tq.configure(q, changes), code, `configure ${JSON.stringify(changes)}`);
        expect(await tq.getConfig(q)).toEqual(before);
      });
    });

    // ------------------------------------------------------------------------------------------
    describe("stats, queues, purge", () => {
      it("stats counts every state and counter", async () => {
        const q = qn();
        expect(await tq.stats(q)).toEqual({ ready: 0, inFlight: 0, delayed: 0, sent: 0, received: 0, deleted: 0, deadLettered: 0, deduplicated: 0, paused: false, oldestReadyAgeMs: null });
        await tq.sendBatch(q, ["a", "b", "c"]);
        await tq.send(q, "d", { delayMs: 60_000 });
        const m = (await tq.receive(q))!;
        expect(await tq.stats(q)).toEqual({ ready: 2, inFlight: 1, delayed: 1, sent: 4, received: 1, deleted: 0, deadLettered: 0, deduplicated: 0, paused: false, oldestReadyAgeMs: expect.any(Number) });
        await tq.delete(q, m.receipt!);
        expect(await tq.stats(q)).toEqual({ ready: 2, inFlight: 0, delayed: 1, sent: 4, received: 1, deleted: 1, deadLettered: 0, deduplicated: 0, paused: false, oldestReadyAgeMs: expect.any(Number) });
      });

      it("stats counts an ended lease as ready even before a receive takes it back", async () => {
        const q = qn();
        await tq.send(q, "a");
        await tq.receive(q, { visibilityMs: 100 });
        await sleep(200);
        expect(await tq.stats(q)).toMatchObject({ ready: 1, inFlight: 0 });
      });

      it("queues() lists the queues that exist", async () => {
        const q1 = qn();
        const q2 = qn();
        await tq.send(q1, "x");
        await tq.send(q2, "y", { delayMs: 60_000 });
        const names = await tq.queues();
        expect(names).toEqual(expect.arrayContaining([q1, q2]));
        expect(names.every((n) => typeof n === "string")).toBe(true);
      });

      it("purge removes every message whatever its state; counters and settings stay", async () => {
        const q = qn();
        await tq.configure(q, { visibilityMs: 7777 });
        const ids = await tq.sendBatch(q, ["a", "b", "c"]);
        ids.push(await tq.send(q, "d", { delayMs: 60_000 }));
        const m = (await tq.receive(q))!;
        expect(await tq.purge(q)).toBe(4);
        expect(await tq.stats(q)).toMatchObject({ ready: 0, inFlight: 0, delayed: 0, sent: 4, received: 1 });
        expect(await tq.receive(q)).toBeNull();
        expect(await tq.delete(q, m.receipt!)).toBe(false);
        expect(await tq.delete(q, ids[1]!)).toBe(false);
        expect((await tq.getConfig(q)).visibilityMs).toBe(7777);
        expect(await traces(admin, q, ids)).toEqual([]);
        expect(await tq.purge(q)).toBe(0);
        await tq.send(q, "after");
        expect((await tq.receive(q))!.body.toString()).toBe("after");
      });
    });

    // ------------------------------------------------------------------------------------------
    describe("7. bodies are byte-exact; TOO_BIG stores nothing", () => {
      it("all 256 byte values, a Uint8Array view, UTF-8 text and an empty body", async () => {
        const q = qn();
        const backing = new Uint8Array(300).fill(7);
        backing.set(ALL_BYTES, 20);
        const view = backing.subarray(20, 276); // a view with a byteOffset
        const text = "ünï©ødé ✓ 𝄞 \u0000 end";
        await tq.send(q, ALL_BYTES);
        await tq.send(q, view);
        await tq.send(q, text);
        await tq.send(q, "");
        await tq.send(q, Buffer.alloc(0));
        await tq.sendBatch(q, [ALL_BYTES, new Uint8Array(0), text]);
        expect((await tq.peek(q))!.body.equals(ALL_BYTES)).toBe(true);
        const got = await tq.receiveBatch(q, { max: 10 });
        expect(got).toHaveLength(8);
        expect(got.every((m) => Buffer.isBuffer(m.body))).toBe(true);
        expect(got[0]!.body.equals(ALL_BYTES)).toBe(true);
        expect(got[1]!.body.equals(ALL_BYTES)).toBe(true);
        expect(got[2]!.body.equals(Buffer.from(text, "utf8"))).toBe(true);
        expect(got[3]!.body.length).toBe(0);
        expect(got[4]!.body.length).toBe(0);
        expect(got[5]!.body.equals(ALL_BYTES)).toBe(true);
        expect(got[6]!.body.length).toBe(0);
        expect(got[7]!.body.toString("utf8")).toBe(text);
      });

      it("a string body is stored as the bytes of Buffer.from(string, 'utf8'), whatever it holds and whatever it travels with", async () => {
        // String bodies go to Redis as strings (encoded once, by ioredis); these must come back as
        // the same bytes a Buffer of them would, including where UTF-8 encoding replaces something.
        const q = qn();
        const filler = "x".repeat(1024);
        const texts = [
          String(42).padStart(8, "0") + filler.slice(8), // a rope of a sliced string, as benchmarks build bodies
          "lone \ud800 high, lone \udc00 low, pair \ud834\udd1e",
          "\u0000tqa starts like the attributes frame",
          "\u0000tqd starts like a dead letter's frame",
          "\u0000tqb starts like a base frame",
          "\u0000 starts with NUL",
          "ünï©ødé ✓ 𝄞",
          "x".repeat(70_000), // more than one socket read on the way back
        ];
        for (const t of texts) await tq.send(q, t);
        await tq.sendBatch(q, [texts[0]!, ALL_BYTES, texts[1]!, Buffer.from(texts[2]!, "utf8"), texts[3]!]); // strings and bytes in one call
        await tq.send(q, texts[1]!, { attributes: { a: "1" } });
        const expected = [...texts, texts[0]!, ALL_BYTES, texts[1]!, texts[2]!, texts[3]!, texts[1]!].map((t) => (typeof t === "string" ? Buffer.from(t, "utf8") : t));
        const got: Message[] = [];
        while (got.length < expected.length) {
          const batch = await tq.receiveBatch(q, { max: 100 });
          if (batch.length === 0) break;
          got.push(...batch);
        }
        expect(got).toHaveLength(expected.length);
        got.forEach((m, i) => expect(m.body.equals(expected[i]!), `body ${i}`).toBe(true));
        expect(got[got.length - 1]!.attributes).toEqual({ a: "1" });
        expect(got.slice(0, -1).every((m) => m.attributes === undefined)).toBe(true);
      });

      it("1 MiB is kept byte-exact; 1 MiB + 1 is TOO_BIG and nothing is stored", async () => {
        const q = qn();
        const big = Buffer.alloc(MiB);
        for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
        const id = await tq.send(q, big);
        await expectCode(() => tq.send(q, Buffer.alloc(MiB + 1, 1)), "TOO_BIG", "send 1 MiB + 1");
        await expectCode(() => tq.send(q, "é".repeat(MiB / 2) + "x"), "TOO_BIG", "send a string of 1 MiB + 1 UTF-8 bytes");
        expect(await tq.stats(q)).toMatchObject({ ready: 1, sent: 1 });
        const m = (await tq.receive(q))!;
        expect(m.id).toBe(id);
        expect(m.body.length).toBe(MiB);
        expect(m.body.equals(big)).toBe(true);
        expect(await tq.receive(q)).toBeNull();
      });

      it("a queue's maxMessageBytes is enforced both ways", async () => {
        const q = qn();
        await tq.configure(q, { maxMessageBytes: 10 });
        await tq.send(q, "0123456789");
        await expectCode(() => tq.send(q, "0123456789A"), "TOO_BIG", "11 bytes over 10");
        await tq.send(q, "late", { delayMs: 10 }); // 4 bytes fit
        await tq.configure(q, { maxMessageBytes: 3 * MiB });
        const big = Buffer.alloc(2 * MiB + 3, 0xab);
        await tq.send(q, big);
        expect(await tq.stats(q)).toMatchObject({ sent: 3 });
        const got = await tq.receiveBatch(q, { max: 10, waitMs: 1000 });
        await sleep(20);
        got.push(...(await tq.receiveBatch(q, { max: 10 })));
        const sizes = got.map((m) => m.body.length).sort((a, b) => a - b);
        expect(sizes).toEqual([4, 10, 2 * MiB + 3]);
        expect(got.find((m) => m.body.length === 2 * MiB + 3)!.body.equals(big)).toBe(true);
      });
    });

    // ------------------------------------------------------------------------------------------
    describe("10. errors: BAD_NAME, BAD_ARGUMENT", () => {
      const badNames: unknown[] = ["", "x".repeat(129), "a:b", "{x}", "a b", " a", "a\n", "ä", "a/b", "a*", 42, null, undefined, {}];

      it("every operation refuses a bad queue name with BAD_NAME", async () => {
        for (const bad of badNames) {
          const b = bad as string;
          const ops: [string, () => unknown][] = [
            ["send", () => tq.send(b, "x")],
            ["sendBatch", () => tq.sendBatch(b, ["x"])],
            ["receive", () => tq.receive(b)],
            ["receiveBatch", () => tq.receiveBatch(b, { max: 1 })],
            ["peek", () => tq.peek(b)],
            ["delete", () => tq.delete(b, "1-1")],
            ["touch", () => tq.touch(b, "1-1.1")],
            ["release", () => tq.release(b, "1-1.1")],
            ["configure", () => tq.configure(b, { visibilityMs: 1000 })],
            ["getConfig", () => tq.getConfig(b)],
            ["stats", () => tq.stats(b)],
            ["purge", () => tq.purge(b)],
          ];
          for (const [name, op] of ops) {
            const e = await expectCode(op, "BAD_NAME", `${name}(${JSON.stringify(bad) ?? String(bad)})`);
            expect(e).toBeInstanceOf(TinyQSError);
            expect(e.httpStatus).toBe(400);
          }
        }
        const names = await tq.queues();
        for (const bad of badNames) if (typeof bad === "string") expect(names).not.toContain(bad);
      });

      it("bad numbers and bodies are refused with BAD_ARGUMENT and store nothing", async () => {
        const q = qn();
        await tq.send(q, "held");
        const m = (await tq.receive(q, { visibilityMs: 60_000 }))!;
        const badInts = [-1, 1.5, NaN, Infinity, "10" as unknown as number];
        const cases: [string, () => unknown][] = [];
        for (const v of [...badInts, LIMITS.maxDelayMs + 1]) {
          cases.push([`send delayMs ${v}`, () => tq.send(q, "x", { delayMs: v })]);
          cases.push([`sendBatch delayMs ${v}`, () => tq.sendBatch(q, ["x"], { delayMs: v })]);
          cases.push([`release delayMs ${v}`, () => tq.release(q, m.receipt!, { delayMs: v })]);
        }
        for (const v of [...badInts, LIMITS.maxWaitMs + 1]) {
          cases.push([`receive waitMs ${v}`, () => tq.receive(q, { waitMs: v })]);
          cases.push([`receiveBatch waitMs ${v}`, () => tq.receiveBatch(q, { max: 1, waitMs: v })]);
          cases.push([`peek waitMs ${v}`, () => tq.peek(q, { waitMs: v })]);
        }
        for (const v of [...badInts, LIMITS.maxVisibilityMs + 1]) {
          cases.push([`receive visibilityMs ${v}`, () => tq.receive(q, { visibilityMs: v })]);
          cases.push([`receiveBatch visibilityMs ${v}`, () => tq.receiveBatch(q, { max: 1, visibilityMs: v })]);
          cases.push([`touch visibilityMs ${v}`, () => tq.touch(q, m.receipt!, { visibilityMs: v })]);
        }
        for (const v of [0, -1, 1.5, LIMITS.maxBatch + 1, undefined, "3"]) {
          cases.push([`receiveBatch max ${v}`, () => tq.receiveBatch(q, { max: v as number })]);
        }
        for (const body of [42, null, undefined, {}, [1, 2]]) {
          cases.push([`send body ${JSON.stringify(body)}`, () => tq.send(q, body as never)]);
          cases.push([`sendBatch body ${JSON.stringify(body)}`, () => tq.sendBatch(q, ["ok", body as never])]);
        }
        cases.push(["sendBatch not an array", () => tq.sendBatch(q, "abc" as never)]);
        cases.push([`sendBatch of ${LIMITS.maxBatch + 1}`, () => tq.sendBatch(q, Array.from({ length: LIMITS.maxBatch + 1 }, () => "x"))]);
        for (const [what, op] of cases) await expectCode(op, "BAD_ARGUMENT", what);

        expect(await tq.stats(q)).toMatchObject({ ready: 0, inFlight: 1, delayed: 0, sent: 1, received: 1 });
        expect(await tq.delete(q, m.receipt!)).toBe(true); // the reservation was not touched
      });
    });

    // ------------------------------------------------------------------------------------------
    describe("8. key layout: one hash tag per queue, nothing left behind", () => {
      it("every key of a queue is <prefix>:{<queue>}:<kind>, and the registry lists the queue", async () => {
        const q = qn();
        await tq.configure(q, { maxReceives: 1 });
        await tq.sendBatch(q, ["a", "b"]);
        await tq.send(q, "c", { delayMs: 60_000 });
        const m = (await tq.receive(q))!;
        await tq.release(q, m.receipt!);
        await tq.receiveBatch(q, { max: 10 }); // dead-letters a, takes b
        const keys = await queueKeys(admin, q);
        expect(keys.length).toBeGreaterThan(0);
        for (const k of keys) {
          const kind = k.slice(`tinyqs:{${q}}:`.length);
          expect(KEY_KINDS, k).toContain(kind);
        }
        expect(await admin.sismember("tinyqs:queues", q)).toBe(1);
      });

      it("the prefix option moves every key", async () => {
        const prefix = `p${uniqueQueue("x").replace("-", "")}`;
        const e = another({ prefix });
        const q = qn();
        const id = await e.send(q, "prefixed");
        expect(await queueKeys(admin, q)).toEqual([]);
        expect(await tq.receive(q)).toBeNull(); // a different key space
        const keys = await queueKeys(admin, q, prefix);
        expect(keys).toContain(`${prefix}:{${q}}:bodies`);
        expect(await admin.sismember(`${prefix}:queues`, q)).toBe(1);
        expect((await e.receive(q))!.id).toBe(id);
        await e.purge(q);
      });
    });
  });
}
