// The bulk gate is fair. From a review of its first version, where each of these failed: a command
// that did not fit beside what was in the gate waited for the gate to be empty, which under steady
// traffic of other large commands it never was; and the reply guess of a worker's RECEIVE was reset
// by any other command between two.
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { BulkGate } from "../src/bulk-gate.js";
import { startServer, uniqueQueue, type Running } from "./helpers.js";

// The servers and clients of the tests against a server, gone after each.
let running: Running | null = null;
const clients: Redis[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  await running?.server.close();
  running = null;
});

describe("BulkGate fairness", () => {
  it("a command larger than what is left is let in eventually while others keep taking turns", () => {
    // A gate of 4; five connections with one command of 1 in flight each at most (as
    // MAX_RUNNING_BYTES_PER_CONNECTION makes a pipeline of large SENDs), each with more to send;
    // one connection with a command of 4 (a 4 MiB MSEND, an EXEC of SENDs, a RECEIVE guessed from a big reply).
    const gate = new BulkGate(4, 1);
    const inFlight: number[] = [];
    const tries = Array.from({ length: 5 }, (_, i) => {
      const t = (): void => {
        if (gate.enter(1, t)) inFlight.push(i);
      };
      return t;
    });
    let bigIn = false;
    const big = (): void => {
      if (!bigIn) bigIn = gate.enter(4, big);
    };
    for (const t of tries.slice(0, 4)) t(); // 4 in
    big(); // waits, first in line
    tries[4]!(); // waits
    // 1,000 turns: the oldest command finishes (leave wakes everyone), then its connection tries its next.
    for (let turn = 0; turn < 1000 && !bigIn; turn++) {
      const k = inFlight.shift()!;
      gate.leave(1);
      tries[k]!();
    }
    expect(bigIn).toBe(true); // the first version: never (the gate never empties)
  });
});

describe("large commands that do not fit beside others", () => {
  /** Keep `depth` SENDs of `body` in flight on `c` until `stop()` says so. */
  const keepSending = (c: Redis, q: string, body: Buffer, depth: number, stop: () => boolean) =>
    Promise.all(
      Array.from({ length: depth }, async () => {
        while (!stop()) await c.call("SEND", q, body);
      }),
    );

  it("a SEND larger than bulkGateBytes gets in while other clients keep sending large bodies", async () => {
    const gate = 256 * 1024;
    running = await startServer({ bulkGateBytes: gate });
    const q = uniqueQueue("starve");
    const body = Buffer.alloc(100 * 1024, 0x61);
    const pushers = Array.from({ length: 3 }, () => new Redis({ port: running!.port }));
    const victim = new Redis({ port: running.port });
    clients.push(...pushers, victim);
    let stopped = false;
    const deadline = Date.now() + 8_000;
    const stop = () => stopped || Date.now() > deadline;
    const load = Promise.all(pushers.map((c) => keepSending(c, q, body, 8, stop)));
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    await victim.call("SEND", uniqueQueue("starve-big"), Buffer.alloc(gate + 1024, 0x62));
    const took = Date.now() - t0;
    stopped = true;
    await load;
    // The first version let it in only when the pushers stopped (about 7.7 s): the gate was never empty.
    expect(took).toBeLessThan(3_000);
  }, 20_000);

  it("a batch worker whose last RECEIVE COUNT brought back more than the gate is not starved", async () => {
    const gate = 256 * 1024;
    running = await startServer({ bulkGateBytes: gate });
    const work = uniqueQueue("starve-work");
    const other = uniqueQueue("starve-other");
    const body = Buffer.alloc(100 * 1024, 0x63);
    const pushers = Array.from({ length: 3 }, () => new Redis({ port: running!.port }));
    const worker = new Redis({ port: running.port });
    clients.push(...pushers, worker);
    for (let i = 0; i < 6; i++) await worker.call("SEND", work, body);
    const first = (await worker.callBuffer("RECEIVE", work, "COUNT", "3")) as unknown[];
    expect(first.length).toBe(3); // a 300 KiB reply: the next RECEIVE is guessed at 300 KiB > the gate
    let stopped = false;
    const deadline = Date.now() + 8_000;
    const stop = () => stopped || Date.now() > deadline;
    const load = Promise.all(pushers.map((c) => keepSending(c, other, body, 8, stop)));
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    const second = (await worker.callBuffer("RECEIVE", work, "COUNT", "3")) as unknown[];
    const took = Date.now() - t0;
    stopped = true;
    await load;
    expect(second.length).toBe(3);
    expect(took).toBeLessThan(3_000); // the first version: ~7.7 s, until the pushers stopped
  }, 20_000);
});

describe("the reply guess", () => {
  /** Most engine.receive() calls of a server at once, for a worker that did `between` after a 1 MiB RECEIVE. */
  async function mostAtOnce(between: (c: Redis, q: string, receipt: string) => Promise<unknown>): Promise<number> {
    const { TinyQS } = await import("@tinyqs/core");
    const { inject } = await import("vitest");
    const real = new TinyQS({ redis: inject("redisUrl") });
    let now = 0;
    let most = 0;
    const watched = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop !== "receive" && prop !== "receiveBatch") return Reflect.get(target, prop, receiver);
        const fn = Reflect.get(target, prop, receiver) as (...a: unknown[]) => Promise<unknown>;
        return async (...a: unknown[]) => {
          most = Math.max(most, ++now);
          try {
            return await fn.apply(target, a);
          } finally {
            now--;
          }
        };
      },
    });
    running = await startServer({ engine: watched as never, bulkGateBytes: 1024 * 1024 });
    const q = uniqueQueue("guess");
    const c = new Redis({ port: running.port, enableAutoPipelining: true });
    clients.push(c);
    const body = Buffer.alloc(1024 * 1024, 0x64);
    for (let i = 0; i < 4; i++) await c.call("SEND", q, body);
    const [, receipt] = (await c.call("RECEIVE", q)) as string[];
    most = 0;
    await between(c, q, receipt!);
    await Promise.all([c.call("RECEIVE", q), c.call("RECEIVE", q), c.call("RECEIVE", q)]); // one pipeline
    c.disconnect(); // before the server goes: no reconnect attempts against a closed port
    await running.server.close();
    running = null;
    await real.close();
    return most;
  }

  it("a worker's 1 MiB RECEIVEs are held the same whether or not it DELETEd in between", async () => {
    const backToBack = await mostAtOnce(async () => {});
    const afterDelete = await mostAtOnce((c, q, receipt) => c.call("DELETE", q, receipt));
    expect(backToBack).toBe(1); // held: one 1 MiB reply at a time in a 1 MiB gate
    expect(afterDelete).toBe(backToBack); // the first version: 3, the DELETE's small reply reset the guess
  }, 30_000);
});
