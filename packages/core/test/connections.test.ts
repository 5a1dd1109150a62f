// Point 6 of issue 2: waiting receives share connections and do not busy-poll. Uses a private
// redis-server so that CLIENT LIST and INFO commandstats see only this file's clients.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { TinyQS } from "../src/index.js";
import { RedisServer, WAKE_MS, sleep, uniqueQueue } from "@tinyqs/test-support";

let server: RedisServer;
let admin: Redis;
const engines: TinyQS[] = [];

beforeAll(async () => {
  server = await RedisServer.start();
  admin = new Redis(server.url);
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});
afterAll(async () => {
  admin?.disconnect();
  await server?.cleanup();
});

async function clientCount(): Promise<number> {
  const list = (await admin.client("LIST")) as string;
  return list.split("\n").filter((l) => l.trim()).length;
}

async function totalCalls(): Promise<number> {
  const info = await admin.info("commandstats");
  let sum = 0;
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (m[1] !== "info" && m[1] !== "client") sum += Number(m[2]); // our own probes
  }
  return sum;
}

describe("6. long polling shares connections and does not busy-poll", () => {
  it("200 concurrent waiting receives on one TinyQS add at most 4 connections; a send wakes one", async () => {
    const before = await clientCount();
    const tq = new TinyQS({ redis: server.url });
    engines.push(tq);
    const queues = Array.from({ length: 10 }, () => uniqueQueue("conn"));
    const target = queues[0]!;
    const t0 = Date.now();
    const waits = Array.from({ length: 200 }, (_, i) =>
      tq.receive(queues[i % queues.length]!, { waitMs: 1500 }).then((m) => ({ m, at: Date.now() - t0 })),
    );
    await sleep(400);
    const during = await clientCount();
    if (process.env.TINYQS_TEST_DEBUG) console.log("connections added by 200 waiters:", during - before);
    expect(during - before).toBeLessThanOrEqual(4);
    expect(during - before).toBeGreaterThanOrEqual(1);

    const sentAt = Date.now() - t0;
    const id = await tq.send(target, "one for one");
    const results = await Promise.all(waits);
    const got = results.filter((r) => r.m !== null);
    expect(got).toHaveLength(1);
    expect(got[0]!.m!.id).toBe(id);
    expect(got[0]!.m!.queue).toBe(target);
    expect(got[0]!.at - sentAt).toBeLessThan(WAKE_MS);
    // still no more connections than that at the end
    expect((await clientCount()) - before).toBeLessThanOrEqual(4);
  });

  it("50 waiters for 1 s cost (almost) no Redis commands", async () => {
    const tq = new TinyQS({ redis: server.url });
    engines.push(tq);
    const q1 = uniqueQueue("idle");
    const q2 = uniqueQueue("idle");
    await tq.send(q2, "far away", { delayMs: 60_000 }); // a far due time must not cause polling either
    const waits = Array.from({ length: 50 }, (_, i) => tq.receive(i % 2 ? q1 : q2, { waitMs: 1800 }));
    await sleep(300); // let them all make their first attempt and settle
    const c0 = await totalCalls();
    await sleep(1000);
    const c1 = await totalCalls();
    // A busy poll would be hundreds of calls; a periodic safety tick a handful.
    if (process.env.TINYQS_TEST_DEBUG) console.log("calls during 1 s of 50 waiters:", c1 - c0);
    expect(c1 - c0).toBeLessThan(50);
    await tq.send(q1, "done");
    const results = await Promise.all(waits);
    expect(results.filter((m) => m !== null)).toHaveLength(1);
  });
});

describe("waiting for replies shares connections too", () => {
  it("200 concurrent wait()s on one TinyQS add at most 4 connections; a respond wakes exactly its waiter", async () => {
    const before = await clientCount();
    const tq = new TinyQS({ redis: server.url });
    engines.push(tq);
    const q = uniqueQueue("replies");
    const handles = await Promise.all(Array.from({ length: 200 }, (_, i) => tq.put(q, `req ${i}`)));
    const waits = handles.map((h) => tq.wait(h, { timeoutMs: 3000 }));
    await sleep(400);
    expect((await clientCount()) - before).toBeLessThanOrEqual(4);

    const c0 = await totalCalls();
    const m = (await tq.take(q))!;
    expect(await tq.respond(q, m.receipt!, "the only reply")).toBe(true);
    expect((await waits[0])!.toString()).toBe("the only reply");
    await sleep(300);
    // The other 199 waiters did not look when the reply to request 0 was announced: the calls are
    // the take, the respond and the one collect (with the commands inside their scripts, which
    // commandstats counts too: about 30), not hundreds.
    expect((await totalCalls()) - c0).toBeLessThan(60);
    const rest = await Promise.all(waits.slice(1));
    expect(rest.every((r) => r === null)).toBe(true);
  });
});
