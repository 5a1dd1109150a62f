// The bulk gate (bulk-gate.ts): large commands of all connections take turns into the engine, at
// most BULK_GATE_BYTES of them at once, while small commands pass by. Unit tests of the gate, then
// the server with a real engine on the private Redis, whose send() is watched (not replaced) to see
// how many large bodies it holds at once.
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { TinyQS, type TinyQSApi } from "@tinyqs/core";
import { BulkGate } from "../src/bulk-gate.js";
import { createTcpServer } from "../src/index.js";
import { BULK_GATE_BYTES, LARGE_COMMAND_BYTES } from "../src/defaults.js";
import { startServer, uniqueQueue, type Running } from "./helpers.js";

describe("BulkGate", () => {
  it("lets the first command in whatever its size, then only what fits, and wakes the waiters in order when bytes go", () => {
    const gate = new BulkGate(10, 4);
    expect(gate.isLarge(3)).toBe(false);
    expect(gate.isLarge(4)).toBe(true);
    const woken: string[] = [];
    const a = () => woken.push("a");
    const b = () => woken.push("b");
    expect(gate.enter(25, () => {})).toBe(true); // larger than the gate, alone: it goes
    expect(gate.enter(4, a)).toBe(false);
    expect(gate.enter(4, b)).toBe(false);
    expect(gate.enter(4, a)).toBe(false); // asked twice, woken once
    gate.leave(25);
    expect(woken).toEqual(["a", "b"]);
    expect(gate.enter(6, a)).toBe(true);
    expect(gate.enter(4, b)).toBe(true); // 10: full, not over
    expect(gate.enter(1, a)).toBe(false);
    gate.forget(a);
    gate.leave(6);
    expect(woken).toEqual(["a", "b"]); // a went away: not woken
  });
});

describe("bulkGateBytes", () => {
  it("must be a whole number of bytes, 1 or more", () => {
    for (const bad of [0, -1, 1.5, "4096"]) {
      expect(() => createTcpServer({ engine: {} as never, bulkGateBytes: bad as number })).toThrow(`bulkGateBytes must be an integer >= 1, got ${bad}`);
    }
  });
});

describe("large commands through the server", () => {
  let running: Running | null = null;
  const clients: Redis[] = [];
  let engine: TinyQS | null = null;
  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    await running?.server.close();
    await engine?.close();
    running = null;
    engine = null;
  });

  it("hold at most BULK_GATE_BYTES in the engine at once across connections, lose none, and small sends pass by", async () => {
    engine = new TinyQS({ redis: inject("redisUrl") });
    let largeNow = 0;
    let largeMost = 0;
    const real = engine;
    // The real engine, its send() counted: bytes of large bodies inside send() at once.
    const watched = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop !== "send") return Reflect.get(target, prop, receiver);
        return async (queue: string, body: Buffer, options?: object) => {
          const large = body.length >= LARGE_COMMAND_BYTES ? body.length : 0;
          largeNow += large;
          largeMost = Math.max(largeMost, largeNow);
          try {
            return await target.send(queue, body, options);
          } finally {
            largeNow -= large;
          }
        };
      },
    }) as TinyQSApi;
    running = await startServer({ engine: watched });
    const q = uniqueQueue("bulk");
    const small = uniqueQueue("bulk-small");
    const body = Buffer.alloc(1024 * 1024, 0x62);
    const pushers = 6;
    const each = 5;
    for (let i = 0; i <= pushers; i++) clients.push(new Redis({ port: running.port, enableAutoPipelining: true }));
    // Every pusher pipelines all its SENDs at once (auto-pipelining: one write).
    const pushed = clients.slice(0, pushers).flatMap((c) => Array.from({ length: each }, () => c.call("SEND", q, body)));
    const smallSends = Array.from({ length: 50 }, (_, i) => clients[pushers]!.call("SEND", small, `s${i}`));
    const ids = await Promise.all(pushed);
    expect(new Set(ids).size).toBe(pushers * each);
    expect((await Promise.all(smallSends)).every((id) => typeof id === "string")).toBe(true);
    expect(largeMost).toBeGreaterThanOrEqual(body.length); // they did go through the engine
    expect(largeMost).toBeLessThanOrEqual(BULK_GATE_BYTES);
    const stats = await real.stats(q);
    expect(stats.ready).toBe(pushers * each);
    const m = await real.receive(q);
    expect(m?.body.equals(body)).toBe(true);
  });

  it("a RECEIVE … WAIT after a large reply holds no room in the gate while it waits", async () => {
    const body = Buffer.alloc(1024 * 1024, 0x63);
    running = await startServer({ bulkGateBytes: body.length }); // one 1 MiB command fills it
    const q = uniqueQueue("bulk-wait");
    const other = uniqueQueue("bulk-other");
    const worker = new Redis({ port: running.port });
    const pusher = new Redis({ port: running.port });
    clients.push(worker, pusher);
    await pusher.call("SEND", q, body);
    const got = (await worker.callBuffer("RECEIVE", q)) as Buffer[];
    expect(got[2]!.length).toBe(body.length); // [id, receipt, body, …]: the worker's last reply was large
    const waiting = worker.callBuffer("RECEIVE", q, "WAIT", "10000") as Promise<Buffer[] | null>;
    await new Promise((r) => setTimeout(r, 200)); // it waits now
    // Were the wait holding the gate, these large sends would wait the 10 s with it.
    const started = Date.now();
    for (let i = 0; i < 3; i++) await pusher.call("SEND", other, body);
    expect(Date.now() - started).toBeLessThan(5_000);
    await pusher.call("SEND", q, "wake");
    expect(((await waiting) as Buffer[])[2]!.toString()).toBe("wake");
  });
});
