// Many waits on one AbortSignal (a server's shutdown signal, the benchmark's 10,000 idle long polls):
// the signal carries one 'abort' listener however many wait on it (timing.ts onAbort), because
// Node's EventTarget walks its listener list on every add and remove (O(N²) for N waits). The
// listener count is what is checked here, not the time, which a loaded machine would blur.
import { getEventListeners } from "node:events";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { TinyQS, sleep } from "../src/index.js";
import { adminFor, eventually, sleep as pause, uniqueQueue, type Admin } from "@tinyqs/test-support";

const listeners = (signal: AbortSignal) => getEventListeners(signal, "abort").length;

describe("sleep: many waits on one signal", () => {
  it("10,000 sleeps share one listener, and one abort ends every one of them", async () => {
    const ac = new AbortController();
    const sleeps = Array.from({ length: 10_000 }, () => sleep(3_600_000, ac.signal));
    expect(listeners(ac.signal)).toBe(1);
    ac.abort();
    await Promise.all(sleeps);
    expect(listeners(ac.signal)).toBe(0);
    // on an aborted signal a sleep ends at once and adds nothing
    await sleep(3_600_000, ac.signal);
    expect(listeners(ac.signal)).toBe(0);
  });

  it("sleeps that end by their time or by a wake take their part away; the last one removes the listener", async () => {
    const ac = new AbortController();
    const wakes: Array<() => void> = [];
    const woken = Array.from({ length: 3 }, () => sleep(3_600_000, ac.signal, (w) => wakes.push(w)));
    const timed = sleep(10, ac.signal);
    const kept = sleep(3_600_000, ac.signal);
    expect(listeners(ac.signal)).toBe(1);
    wakes.forEach((w) => w());
    await Promise.all([...woken, timed]);
    expect(listeners(ac.signal)).toBe(1); // `kept` still waits on it
    ac.abort();
    await kept;
    expect(listeners(ac.signal)).toBe(0);
  });

  it("a signal left with no sleep carries no listener, and a new sleep on it still ends on abort", async () => {
    const ac = new AbortController();
    await sleep(5, ac.signal);
    expect(listeners(ac.signal)).toBe(0);
    const again = sleep(3_600_000, ac.signal);
    expect(listeners(ac.signal)).toBe(1);
    ac.abort();
    await again;
    expect(listeners(ac.signal)).toBe(0);
  });
});

describe("long polls on one signal", () => {
  let tq: TinyQS;
  let admin: Admin;
  beforeAll(() => {
    tq = new TinyQS({ redis: inject("redisUrl") });
    admin = adminFor({ url: inject("redisUrl") });
  });
  afterAll(async () => {
    await tq.close();
    admin.disconnect();
  });

  it("1,000 receivers of 1,000 queues hold one listener; a send still reaches its waiter; the abort ends the rest, reserving nothing", async () => {
    const base = uniqueQueue("one-signal");
    const queues = Array.from({ length: 1000 }, (_, i) => `${base}-${i}`);
    const ac = new AbortController();
    const waits = queues.map((q) => tq.receive(q, { waitMs: 600_000, signal: ac.signal }));
    // Parked: every queue's wake channel is subscribed (the engine holds it while its waiter waits).
    await eventually(async () => ((await admin.pubsub("CHANNELS", `tinyqs:{${base}-*}:wake`)) as string[]).length === queues.length, 20_000);
    await pause(100);
    expect(listeners(ac.signal)).toBe(1);
    await tq.send(queues.at(-1)!, "to the last");
    expect((await waits.at(-1)!)?.body.toString()).toBe("to the last");
    expect(listeners(ac.signal)).toBe(1);
    ac.abort();
    const rest = await Promise.all(waits.slice(0, -1));
    expect(rest.every((m) => m === null)).toBe(true);
    expect(listeners(ac.signal)).toBe(0);
    // the aborted waits reserved nothing: a message sent now is there, at its first delivery
    await tq.send(queues[0]!, "after the abort");
    const m = await tq.receive(queues[0]!);
    expect(m?.body.toString()).toBe("after the abort");
    expect(m!.receiveCount).toBe(1);
    expect((await tq.stats(queues[1]!)).received).toBe(0);
  });
});
