// Issue 18 / issue 11 item 5: a full Redis (maxmemory + noeviction) refuses what grows memory — a
// send is FULL — but everything that keeps or ends a lease goes on working: touch, release, delete
// and respond (they free before they add, or change in place), receive and purge. Without that, a
// worker's lease runs out mid-handler while Redis is full and its message is handled twice.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TinyQS, type Message } from "../src/index.js";
import { RedisServer, expectCode, fillMemory, freeMemory, keepMemoryFull, runOneSlowHandler, uniqueQueue } from "@tinyqs/test-support";

let redis: RedisServer;
let tq: TinyQS;
const fill = () => fillMemory(redis.port);

beforeAll(async () => {
  redis = await RedisServer.start({ extraArgs: ["--maxmemory", "2mb", "--maxmemory-policy", "noeviction"] });
  tq = new TinyQS({ redis: redis.url, timeoutMs: 2000 });
});
afterAll(async () => {
  await freeMemory(redis.port);
  await tq?.close();
  await redis?.cleanup();
});

describe("a full Redis keeps leases working", () => {
  let q: string;
  let taken: Message[];
  beforeAll(async () => {
    q = uniqueQueue("full");
    await tq.sendBatch(q, ["touch me", "release me", "delete me", "ready"]);
    await tq.put(q, "answer me");
    taken = await tq.receiveBatch(q, { max: 3, visibilityMs: 60_000 });
    expect(taken.map((m) => m.body.toString())).toEqual(["touch me", "release me", "delete me"]);
    await fill();
    await expectCode(() => tq.send(q, "one more"), "FULL", "send to a full Redis");
  });

  it("touch extends a lease", async () => {
    expect(await tq.touch(q, taken[0]!.receipt!, { visibilityMs: 120_000 })).toBe(true);
    await expectCode(() => tq.send(q, "x"), "FULL", "still full");
  });

  it("release puts a message back (at once, and with a delay)", async () => {
    expect(await tq.release(q, taken[1]!.receipt!, { delayMs: 60_000 })).toBe(true);
    const again = await tq.receive(q, { visibilityMs: 60_000 });
    expect(again?.body.toString()).toBe("ready");
    expect(await tq.release(q, again!.receipt!)).toBe(true);
    expect((await tq.stats(q)).delayed).toBe(1);
  });

  it("delete acknowledges, by receipt and by id", async () => {
    expect(await tq.delete(q, taken[2]!.receipt!)).toBe(true);
    expect(await tq.delete(q, taken[1]!.id)).toBe(true); // the delayed one, by id
    await expectCode(() => tq.send(q, "x"), "FULL", "still full");
  });

  it("receive and respond answer a request, and its sender collects the reply", async () => {
    await fill();
    const req = await tq.take(q, { visibilityMs: 60_000 });
    expect(req?.body.toString()).toBe("answer me");
    // a reply no larger than its request frees at least what it stores
    expect(await tq.respond(q, req!.receipt!, "done")).toBe(true);
    expect((await tq.wait(`${q}:${req!.id}`, { timeoutMs: 0 }))?.toString()).toBe("done");
  });

  it("a reply larger than its request is FULL while Redis is full: nothing changed", async () => {
    const big = Buffer.alloc(200 * 1024, 1);
    const rq = uniqueQueue("full-big");
    await freeMemory(redis.port);
    const handle = await tq.put(rq, "small");
    const req = await tq.take(rq, { visibilityMs: 60_000 });
    await fill();
    const refused = await expectCode(() => tq.respond(rq, req!.receipt!, big), "FULL", "a growing reply");
    expect(refused.message).toBe("Redis is full (maxmemory reached) and the reply is larger than its request: nothing was stored");
    // the request is still reserved: a reply that fits is taken
    expect(await tq.respond(rq, req!.receipt!, "ok")).toBe(true);
    expect((await tq.wait(handle, { timeoutMs: 0 }))?.toString()).toBe("ok");
  });

  it("purge empties a queue; once there is room, sends are taken again", async () => {
    await fill();
    expect(await tq.purge(q)).toBe(2); // the one still reserved (touched) and the one released to ready
    await expectCode(() => tq.send(q, "x"), "FULL", "still full");
    await freeMemory(redis.port);
    expect(await tq.send(q, "room again")).toMatch(/^\d+-\d+$/);
  });
});

describe("a worker while Redis is full", () => {
  it("keeps its lease through a 10 s handler (visibility 1.5 s): one delivery, deleted after", async () => {
    const q = uniqueQueue("full-worker");
    await freeMemory(redis.port);
    await tq.send(q, "slow job");
    await fill();
    const full = keepMemoryFull(redis.port); // Redis gives memory back by itself: kept full all along
    const run = await runOneSlowHandler(tq, tq, q, 10_000, 1500);
    const rounds = await full.stop();
    expect(rounds).toBeGreaterThan(5);
    expect(run).toEqual({ deliveries: [1], errors: [] });
    expect(await tq.stats(q)).toMatchObject({ ready: 0, inFlight: 0, delayed: 0, received: 1, deleted: 1 });
  }, 30_000);
});
