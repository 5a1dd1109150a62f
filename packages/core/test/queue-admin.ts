// The operations an operator runs on a queue (issue 14): pause/resume, redrive, deleteQueue, and
// what stats/getConfig say about them. One suite, run on one Redis and on a 3-master Redis Cluster
// (queue-admin.test.ts), where a dead-letter queue and its source may sit on different masters.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TinyQS, type TinyQSOptions } from "../src/index.js";
import { withoutOrigin } from "../src/message-attributes.js";
import { deadLettered, deadLetteredWithReceipts, eventually, expectCode, expectStaleReceipt, queueKeys, sleep, type Admin } from "@tinyqs/test-support";

export interface AdminSuite {
  /** true on Redis Cluster: dead letters reach their queue by the outbox hand-off, a moment later. */
  cluster: boolean;
  engine: (options?: TinyQSOptions) => TinyQS;
  admin: () => Admin;
  queueName: (tag: string) => string;
}

const luaDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src/lua");
/** The source of the Lua script `<verb>-<n>.lua`. */
export const lua = (verb: string) => readFileSync(path.join(luaDir, readdirSync(luaDir).find((f) => new RegExp(`^${verb}-\\d+\\.lua$`).test(f))!), "utf8");
const k = (queue: string, kind: string) => `tinyqs:{${queue}}:${kind}`;

export function describeQueueAdmin(name: string, s: AdminSuite): void {
  describe(`queue operations: ${name}`, () => {
    let tq: TinyQS;
    let admin: Admin;
    const engines: TinyQS[] = [];
    beforeAll(() => {
      tq = s.engine();
      admin = s.admin();
    });
    afterAll(async () => {
      await Promise.all([tq.close(), ...engines.map((e) => e.close())]);
      admin.disconnect();
    });

    describe("pause / resume", () => {
      it("a paused queue delivers nothing (receive, take, a waiting long poll, a worker) but takes sends; resume delivers", async () => {
        const q = s.queueName("pause");
        await tq.send(q, "before");
        await tq.pause(q);
        expect((await tq.stats(q)).paused).toBe(true);
        expect((await tq.getConfig(q)).paused).toBe(true);
        expect(await tq.receive(q)).toBeNull();
        expect(await tq.take(q)).toBeNull();
        expect((await tq.peek(q))!.body.toString()).toBe("before"); // peek reserves nothing: it still shows
        const handled: string[] = [];
        const worker = tq.process(q, async (m) => void handled.push(m.body.toString()), { waitMs: 1000 });
        const waiting = tq.receive(q, { waitMs: 20_000 });
        await tq.send(q, "during");
        await sleep(300);
        expect(handled).toEqual([]);
        expect((await tq.stats(q)).ready).toBe(2);
        await tq.resume(q);
        const first = await waiting; // woken by resume, well before its 20 s
        expect(first).not.toBeNull();
        await eventually(() => handled.length === 1);
        await worker.close();
        expect(new Set([first!.body.toString(), ...handled])).toEqual(new Set(["before", "during"]));
        expect((await tq.stats(q)).paused).toBe(false);
      });

      it("pausing survives a restart of the engine; configure cannot set paused", async () => {
        const q = s.queueName("pause-restart");
        await tq.send(q, "x");
        await tq.pause(q);
        const again = s.engine();
        engines.push(again);
        expect((await again.getConfig(q)).paused).toBe(true);
        expect(await again.receive(q)).toBeNull();
        await expectCode(() => again.configure(q, { paused: false } as never), "BAD_ARGUMENT");
        await again.resume(q);
        expect((await again.receive(q))!.body.toString()).toBe("x");
        expect(await tq.queues()).toContain(q);
      });
    });

    describe("stats", () => {
      it("oldestReadyAgeMs: null with nothing ready, else the age of the message a receive takes next", async () => {
        const q = s.queueName("age");
        expect((await tq.stats(q)).oldestReadyAgeMs).toBeNull();
        const id = await tq.send(q, "old");
        await sleep(50);
        await tq.send(q, "new");
        const { oldestReadyAgeMs } = await tq.stats(q);
        expect(oldestReadyAgeMs).toBeGreaterThanOrEqual(50);
        expect(oldestReadyAgeMs).toBeLessThan(60_000);
        expect(Number(id.split("-")[0])).toBeLessThanOrEqual(Date.now() - oldestReadyAgeMs! + 1000);
        await tq.receiveBatch(q, { max: 2, visibilityMs: 60_000 });
        expect((await tq.stats(q)).oldestReadyAgeMs).toBeNull(); // in flight: not ready
        await tq.send(q, "late", { delayMs: 60_000 });
        expect((await tq.stats(q)).oldestReadyAgeMs).toBeNull(); // delayed: not ready
      });
    });

    describe("redrive", () => {
      it("sends dead letters back to the queue they died in, under their ids, receive count starting again", async () => {
        const q = s.queueName("rd");
        const ids = await deadLettered(tq, q, 5);
        const browsed = await tq.browse(`${q}.dead`, { state: "ready" });
        expect(browsed.map((m) => m.deadLetterOf)).toEqual(ids.map((id) => ({ queue: q, id })));
        expect(browsed.map((m) => m.body.toString())).toEqual(["m0", "m1", "m2", "m3", "m4"]); // the frame is not shown
        expect((await tq.peek(`${q}.dead`))!.body.toString()).toBe("m0");
        await tq.configure(q, { maxReceives: 0 });
        expect(await tq.redrive(`${q}.dead`)).toBe(5);
        expect((await tq.stats(`${q}.dead`)).ready).toBe(0);
        const back = await tq.receiveBatch(q, { max: 10 });
        expect(back.map((m) => m.id)).toEqual(ids);
        expect(back.map((m) => m.body.toString())).toEqual(["m0", "m1", "m2", "m3", "m4"]);
        expect(back.map((m) => m.receiveCount)).toEqual([1, 1, 1, 1, 1]);
        expect(back.map((m) => m.sentAt)).toEqual(ids.map((id) => Number(id.split("-")[0])));
      });

      it("to another queue, at most max at a time; a letter that dies again remembers its latest death", async () => {
        const q = s.queueName("rdto");
        const other = s.queueName("rdto-target");
        const ids = await deadLettered(tq, q, 4);
        expect(await tq.redrive(`${q}.dead`, { to: other, max: 3 })).toBe(3);
        expect((await tq.stats(`${q}.dead`)).ready).toBe(1);
        expect((await tq.browse(other, { state: "ready" })).map((m) => m.id)).toEqual(ids.slice(0, 3));
        expect(await tq.queues()).toContain(other);
        expect(await tq.redrive(`${q}.dead`, { to: other })).toBe(1);
        expect(await tq.redrive(`${q}.dead`)).toBe(0); // nothing left: nothing to do
        // Dead-lettered again from `other`: it now goes back there.
        await tq.configure(other, { maxReceives: 1, visibilityMs: 1 });
        await tq.receiveBatch(other, { max: 10 });
        await sleep(5);
        await tq.receiveBatch(other, { max: 10 });
        await eventually(async () => (await tq.stats(`${other}.dead`)).ready === 4, 5000);
        expect((await tq.browse(`${other}.dead`, { state: "ready" })).map((m) => m.deadLetterOf!.queue)).toEqual([other, other, other, other]);
        await tq.configure(other, { maxReceives: 0 });
        expect(await tq.redrive(`${other}.dead`)).toBe(4);
        expect((await tq.browse(other, { state: "ready" })).map((m) => m.id)).toEqual(ids);
      });

      it("BAD_ARGUMENT: a queue whose messages are no dead letters (without to), itself as target, bad max or options", async () => {
        const q = s.queueName("rdbad");
        await tq.send(q, "plain");
        const e = await expectCode(() => tq.redrive(q), "BAD_ARGUMENT");
        expect(e.message).toMatch(/not a dead-letter queue/);
        expect((await tq.stats(q)).ready).toBe(1); // it stayed
        await expectCode(() => tq.redrive(q, { to: q }), "BAD_ARGUMENT");
        await expectCode(() => tq.redrive(q, { to: "bad name" }), "BAD_NAME");
        await expectCode(() => tq.redrive(q, { max: 0 }), "BAD_ARGUMENT");
        await expectCode(() => tq.redrive(q, { max: 1.5 }), "BAD_ARGUMENT");
        await expectCode(() => tq.redrive(q, { max: 2_000_000_000 }), "BAD_ARGUMENT");
        await expectCode(() => tq.redrive(q, { limit: 3 } as never), "BAD_ARGUMENT");
        // A queue that does not exist at all (never used, nothing in it): NOT_FOUND, not "0 moved".
        expect((await expectCode(() => tq.redrive(s.queueName("never-used")), "NOT_FOUND")).message).toMatch(/no queue/);
        const other = s.queueName("rdbad-to");
        expect(await tq.redrive(q, { to: other })).toBe(1); // with a target, any message can be moved
        expect((await tq.receive(other))!.body.toString()).toBe("plain");
      });

      it.each([
        ["moved to the outbox, not handed over", false],
        ["adopted by the target, not yet removed from the outbox", true],
      ])("interrupted half-way (%s) and run again: nothing lost, nothing doubled", async (_label, adopted) => {
        const q = s.queueName("rdcut");
        const dlq = `${q}.dead`;
        const ids = await deadLettered(tq, q, 7);
        await tq.configure(q, { maxReceives: 0 });
        // The first step of a redrive, by hand: 3 letters to the outbox, then the process "dies".
        const moved = (await admin.eval(lua("redrive"), 6, k(dlq, "ready"), k(dlq, "bodies"), k(dlq, "stats"), k(dlq, "outbox"), k(dlq, "outbox-bodies"), k(dlq, "outbox-routes"), 3, "")) as number[];
        expect(moved[0]).toBe(3);
        if (adopted) {
          // ...or it died after the target took them in, before the outbox forgot them.
          const outboxIds = await admin.lrange(k(dlq, "outbox"), 0, -1);
          const triples: Array<string | Buffer> = [];
          for (const id of outboxIds) {
            const route = (await admin.hget(k(dlq, "outbox-routes"), id))!;
            triples.push(id, route.slice(route.lastIndexOf("/") + 1), withoutOrigin((await admin.hgetBuffer(k(dlq, "outbox-bodies"), id))!).stored);
          }
          expect(await admin.eval(lua("adopt"), 4, k(q, "ready"), k(q, "bodies"), k(q, "stats"), k(q, "adopted"), k(q, "wake"), dlq, ...triples)).toBe(3);
        }
        expect((await tq.stats(dlq)).ready).toBe(4);
        expect(await tq.redrive(dlq)).toBe(adopted ? 4 : 7);
        const back = await tq.receiveBatch(q, { max: 100 });
        expect(back.map((m) => m.id).sort()).toEqual([...ids].sort());
        expect(back.map((m) => m.body.toString()).sort()).toEqual(["m0", "m1", "m2", "m3", "m4", "m5", "m6"]);
        expect(await admin.llen(k(dlq, "outbox"))).toBe(0);
        expect(await admin.hlen(k(dlq, "outbox-bodies"))).toBe(0);
        expect(await admin.hlen(k(dlq, "outbox-routes"))).toBe(0);
      });

      // Fencing across lives: redrive keeps the id, so the deliveries of the new life must not reuse
      // the receipts of the old one (a slow worker of the first life still holds them).
      it("a receipt from before the redrive is stale: delete, deleteBatch, touch, touchBatch, release and respond refuse it", async () => {
        const q = s.queueName("rdfence");
        const { id, receipts: stale } = await deadLetteredWithReceipts(tq, q, 2);
        await tq.configure(q, { visibilityMs: 60_000 });
        expect(await tq.redrive(`${q}.dead`)).toBe(1);
        const current = (await tq.receive(q))!;
        expect(current.id).toBe(id);
        expect(stale).not.toContain(current.receipt);
        for (const receipt of stale) await expectStaleReceipt(tq, q, receipt);
        expect(await tq.stats(q)).toMatchObject({ inFlight: 1, deleted: 0 });
        expect(await tq.touch(q, current.receipt!)).toBe(true);
        expect(await tq.delete(q, current.receipt!)).toBe(true);
      });

      it("after a redrive the receive count starts again at 1 and maxReceives allows as many receives again; receipts never repeat", async () => {
        const q = s.queueName("rdcount");
        const { id, receipts } = await deadLetteredWithReceipts(tq, q, 2); // maxReceives 2, leases of 1 ms
        expect(await tq.redrive(`${q}.dead`)).toBe(1);
        expect((await tq.peek(q))!.receiveCount).toBe(0);
        for (const count of [1, 2]) {
          const m = (await tq.receive(q))!;
          expect([m.id, m.receiveCount]).toEqual([id, count]);
          expect((await tq.browse(q, { state: "inFlight" })).map((b) => b.receiveCount)).toEqual([count]);
          receipts.push(m.receipt!);
          await sleep(5); // the lease ends
        }
        expect(await tq.receive(q)).toBeNull(); // a third receive in this life: dead-lettered again
        await eventually(async () => (await tq.stats(`${q}.dead`)).ready === 1, 10_000);
        expect((await tq.browse(`${q}.dead`, { state: "ready" })).map((m) => m.deadLetterOf)).toEqual([{ queue: q, id }]);
        await tq.configure(q, { visibilityMs: 60_000 });
        expect(await tq.redrive(`${q}.dead`)).toBe(1);
        const third = (await tq.receive(q))!;
        expect([third.id, third.receiveCount]).toEqual([id, 1]);
        receipts.push(third.receipt!);
        expect(new Set(receipts).size).toBe(5);
        expect(await tq.delete(q, receipts[3]!)).toBe(false); // the second life's last receipt
        expect(await tq.delete(q, third.receipt!)).toBe(true);
      });

      it("a redriven message keeps its body and attributes byte-exact through two deaths and redrives", async () => {
        const q = s.queueName("rdattr");
        const body = Buffer.from([0x00, 0x74, 0x71, 0x62, 0x00, 0x00, 0x00, 0x09, 0xff]); // begins like a base frame
        await tq.configure(q, { maxReceives: 1, visibilityMs: 1 });
        const id = await tq.send(q, body, { attributes: { kind: "test" } });
        for (let life = 1; life <= 2; life++) {
          const m = (await tq.receive(q))!;
          expect([m.id, m.receiveCount, m.body, m.attributes]).toEqual([id, 1, body, { kind: "test" }]);
          await sleep(5);
          expect(await tq.receive(q)).toBeNull(); // dies
          await eventually(async () => (await tq.stats(`${q}.dead`)).ready === 1, 10_000);
          const [letter] = await tq.browse(`${q}.dead`, { state: "ready" });
          expect([letter!.body, letter!.size, letter!.receiveCount, letter!.deadLetterOf]).toEqual([body, body.length, 0, { queue: q, id }]);
          expect(await tq.redrive(`${q}.dead`)).toBe(1);
          const [back] = await tq.browse(q, { state: "ready" });
          expect([back!.id, back!.body, back!.size, back!.receiveCount]).toEqual([id, body, body.length, 0]);
        }
      });

      it("a letter whose id is taken in its target again gets a new one (its sentAt kept)", async () => {
        const q = s.queueName("rdid");
        const [id] = await deadLettered(tq, q, 1);
        await tq.configure(q, { maxReceives: 0 });
        await admin.hset(k(q, "bodies"), id!, "squatter"); // a message of that id is there (a queue deleted and reused, say)
        expect(await tq.redrive(`${q}.dead`)).toBe(1);
        const [m] = await tq.browse(q, { state: "ready" });
        expect(m!.id).not.toBe(id);
        expect(m!.sentAt).toBe(Number(id!.split("-")[0]));
        expect(m!.body.toString()).toBe("m0");
      });

      it("after deleteQueue of the dead-letter queue (its seq starts again), a letter that dies and is redriven again is not taken for an old repeat", async () => {
        const q = s.queueName("rdagain");
        const dlq = `${q}.dead`;
        const [id] = await deadLettered(tq, q, 1);
        expect(await tq.redrive(dlq)).toBe(1);
        await tq.deleteQueue(dlq);
        // The same message (same sentAt) dies again, into a dead-letter queue numbering from 1 again.
        await tq.configure(q, { maxReceives: 1, visibilityMs: 1 });
        await tq.receive(q);
        await sleep(5);
        await tq.receive(q);
        await eventually(async () => (await tq.stats(dlq)).ready === 1, 10_000);
        await tq.configure(q, { maxReceives: 0 });
        expect(await tq.redrive(dlq)).toBe(1);
        const [back] = await tq.receiveBatch(q, { max: 10 });
        expect(back!.id).toBe(id);
        expect(back!.body.toString()).toBe("m0");
      });
    });

    describe("deleteQueue", () => {
      it("deletes a large queue whole while receivers wait on it; a send afterwards makes it anew", async () => {
        const q = s.queueName("del");
        const n = 200_000;
        const body = "x".repeat(32);
        for (let i = 0; i < n; i += 1000) await tq.sendBatch(q, Array.from({ length: 1000 }, () => body));
        await tq.send(q, "later", { delayMs: 60_000 });
        await tq.configure(q, { visibilityMs: 60_000 });
        await tq.pause(q); // receivers wait on a queue full of messages
        expect((await tq.stats(q)).ready).toBe(n);
        const stop = new AbortController();
        const receivers = Array.from({ length: 3 }, () => tq.receive(q, { waitMs: 15_000, signal: stop.signal }));
        await sleep(100);
        await tq.deleteQueue(q);
        expect(await tq.queues()).not.toContain(q);
        expect(await queueKeys(admin, q)).toEqual([]);
        const stats = await tq.stats(q);
        expect([stats.ready, stats.inFlight, stats.delayed, stats.sent, stats.paused]).toEqual([0, 0, 0, 0, false]);
        expect((await tq.getConfig(q)).visibilityMs).toBe(30_000); // settings gone: the defaults
        await tq.send(q, "anew"); // no longer paused: a waiting receiver takes it
        const first = await Promise.race(receivers.map((r) => r.then((m) => m ?? new Promise<never>(() => {}))));
        expect(first.body.toString()).toBe("anew");
        stop.abort(); // the other two were still waiting
        expect((await Promise.all(receivers)).filter((m) => m !== null)).toHaveLength(1);
        expect(await tq.queues()).toContain(q);
      }, 60_000);
    });
  });
}
