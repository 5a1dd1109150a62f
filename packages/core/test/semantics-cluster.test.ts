// The shared semantics suites (semantics.ts, request-response.ts) on a 3-master Redis Cluster, with
// the queues spread over the masters; plus checks that only make sense on a cluster.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { Cluster } from "ioredis";
import { TinyQS } from "../src/index.js";
import { adminFor, eventually, keySlot, queueKeys, slotThird, spreadQueue, uniqueQueue, type Admin } from "@tinyqs/test-support";
import { describeRequestResponse } from "./request-response.js";
import { describeSemantics, type EngineOptions } from "./semantics.js";

const clusterNodes = inject("clusterNodes");

const engine = (options?: EngineOptions) => new TinyQS({ redis: { cluster: clusterNodes }, ...options });
const suite = { cluster: true, admin: () => adminFor({ nodes: clusterNodes }), queueName: () => spreadQueue("c") };
describeSemantics("Redis Cluster (3 masters)", engine, suite);
describeRequestResponse("Redis Cluster (3 masters)", engine, suite);

describe("Redis Cluster specifics", () => {
  let admin: Admin;
  const engines: TinyQS[] = [];
  beforeAll(() => {
    admin = adminFor({ nodes: clusterNodes });
  });
  afterAll(async () => {
    await Promise.all(engines.map((e) => e.close()));
    admin.disconnect();
  });

  it("the queue names used spread over all three masters, each queue's keys in its one slot", async () => {
    const tq = new TinyQS({ redis: { cluster: clusterNodes } });
    engines.push(tq);
    const qs = [spreadQueue("c", 0), spreadQueue("c", 1), spreadQueue("c", 2)];
    for (const q of qs) {
      await tq.send(q, q);
      await tq.send(q, "later", { delayMs: 60_000 });
      await tq.receive(q);
    }
    const masters = (admin as Cluster).nodes("master");
    expect(masters).toHaveLength(3);
    const holders = new Set<string>();
    for (const q of qs) {
      const slot = keySlot(q);
      for (const k of await queueKeys(admin, q)) {
        expect(Number(await admin.cluster("KEYSLOT", k)), k).toBe(slot);
      }
      // exactly one master holds the queue's keys
      const on: string[] = [];
      for (const m of masters) {
        if (Number(await m.cluster("COUNTKEYSINSLOT", slot)) > 0) on.push(`${m.options.host}:${m.options.port}`);
      }
      expect(on, q).toHaveLength(1);
      holders.add(on[0]!);
    }
    expect(holders.size).toBe(3);
    expect(new Set(qs.map((q) => slotThird(keySlot(q)))).size).toBe(3);
  });

  // The dead-letter hand-off on Cluster is: receive moves the message to the source's outbox; the
  // engine adopts it into the DLQ (adopt-*.lua, idempotent through the DLQ's `adopted` set), then
  // removes it from the outbox. Simulate a crash after each step and check that the next receive on
  // the source finishes the hand-off with exactly one copy in the DLQ.
  const luaDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src/lua");
  const adoptLua = () => readFileSync(path.join(luaDir, readdirSync(luaDir).find((f) => /^adopt-\d+\.lua$/.test(f))!), "utf8");

  it.each([
    ["moved to the outbox, not adopted yet", false],
    ["adopted, not yet removed from the outbox", true],
  ])("a dead letter left in the outbox (crash: %s) reaches the DLQ exactly once", async (_label, adopted) => {
    const tq = new TinyQS({ redis: { cluster: clusterNodes } });
    engines.push(tq);
    const q = spreadQueue("crash");
    const dlq = `${q}.dead`;
    await tq.configure(q, { maxReceives: 1 });
    const outboxId = `${Date.now()}-900001`;
    await admin.rpush(`tinyqs:{${q}}:outbox`, outboxId);
    await admin.hset(`tinyqs:{${q}}:outbox-bodies`, outboxId, "orphan");
    if (adopted) {
      const k = (kind: string) => `tinyqs:{${dlq}}:${kind}`;
      const taken = await admin.eval(adoptLua(), 4, k("ready"), k("bodies"), k("stats"), k("adopted"), `tinyqs:{${dlq}}:wake`, q, outboxId, "", "orphan");
      expect(taken).toBe(1);
    }
    expect(await tq.receive(q)).toBeNull(); // sees the outbox and finishes the hand-off
    await eventually(async () => (await admin.llen(`tinyqs:{${q}}:outbox`)) === 0 && (await admin.hlen(`tinyqs:{${q}}:outbox-bodies`)) === 0, 5000);
    const got = await tq.receiveBatch(dlq, { max: 10, waitMs: 2000 });
    await new Promise((r) => setTimeout(r, 200));
    got.push(...(await tq.receiveBatch(dlq, { max: 10 })));
    expect(got.map((m) => m.body.toString())).toEqual(["orphan"]);
    expect(got[0]!.sentAt).toBe(Number(outboxId.split("-")[0]));
  });

  it("accepts an ioredis Cluster instance", async () => {
    const c = new Cluster(clusterNodes.map((n) => ({ host: n.split(":")[0]!, port: Number(n.split(":")[1]) })));
    const tq = new TinyQS({ redis: c });
    engines.push(tq);
    try {
      const q = uniqueQueue();
      const id = await tq.send(q, "via instance");
      expect((await tq.receive(q))!.id).toBe(id);
      await tq.close();
      expect(c.status).toBe("ready"); // close() leaves the caller's instance open
    } finally {
      c.disconnect();
    }
  });
});
