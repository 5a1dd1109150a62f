// The worker's tests, written once against any TinyQSApi: core's worker.test.ts runs them on the
// engine, and the client's conformance suite runs them on the TCP and HTTP clients too (hence here,
// not in one package's test folder). `makeApi()` gives a fresh instance (its own connections); the
// suite closes every instance it makes. Each test uses its own queue, one instance for the worker and
// one for the test's own look at the queue, so a client whose long poll blocks its connection is
// fine. The tests run concurrently and take ~2.5 s in all.
import { afterAll, describe, expect, it } from "vitest";
import { createWorker, type Message, type TinyQSApi, type WorkerErrorInfo, type WorkerOptions, type Handler } from "@tinyqs/core";
import { WAKE_MS, eventually, sleep, uniqueQueue } from "./util.js";

export interface WorkerSuiteOptions {
  /** A fresh queue name (default uniqueQueue("w")). */
  queueName?: () => string;
}

/** Timing slack for "about at the delay": timers and the Redis clock against ours. */
const EARLY_MS = 40;

export function describeWorker(label: string, makeApi: () => TinyQSApi | Promise<TinyQSApi>, opts: WorkerSuiteOptions = {}) {
  const qn = opts.queueName ?? (() => uniqueQueue("w"));

  describe.concurrent(`worker on ${label}`, () => {
    // Registered in this order, inside this describe: the same tests, names and order as one block.
    const kit = suiteKit(makeApi, qn);
    retries(kit);
    leases(kit);
    limits(kit);
    closing(kit);
    badOptions(kit);
  });
}

/** The suite's shared state: api instances it makes (and closes) and the workers it starts. */
function suiteKit(makeApi: () => TinyQSApi | Promise<TinyQSApi>, qn: () => string) {
  const made: TinyQSApi[] = [];
  const workers: Array<{ close(): Promise<void> }> = [];
  const api = async () => {
    const a = await makeApi();
    made.push(a);
    return a;
  };
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close().catch(() => {})));
    await Promise.all(made.map((a) => a.close().catch(() => {})));
  });

  /** A worker on its own api instance, plus an instance for the test; errors are collected. */
  async function setup(handler: Handler, options: WorkerOptions = {}) {
    const [workerApi, ctl] = await Promise.all([api(), api()]);
    const queue = qn();
    const errors: Array<{ error: unknown; info: WorkerErrorInfo }> = [];
    const start = () => {
      const w = createWorker(workerApi, queue, handler, { onError: (error, info) => errors.push({ error, info }), ...options });
      workers.push(w);
      return w;
    };
    return { queue, ctl, workerApi, errors, start };
  }
  return { api, setup };
}

type Kit = ReturnType<typeof suiteKit>;

/** Handling and retrying: a success deletes, a failure releases with a doubling delay. */
function retries({ setup }: Kit) {
  it("a handler that succeeds: each message handled once, then deleted", async () => {
    const seen: Message[] = [];
    const { queue, ctl, errors, start } = await setup((m) => void seen.push(m), { concurrency: 2 });
    await ctl.sendBatch(queue, ["a", "b", "c"]);
    const w = start();
    await eventually(async () => (await ctl.stats(queue)).deleted === 3);
    await w.close();
    expect(seen.map((m) => m.body.toString()).sort()).toEqual(["a", "b", "c"]);
    expect(seen.map((m) => m.receiveCount)).toEqual([1, 1, 1]);
    expect(seen.every((m) => m.queue === queue && typeof m.receipt === "string")).toBe(true);
    expect(await ctl.stats(queue)).toMatchObject({ ready: 0, inFlight: 0, delayed: 0, sent: 3, received: 3, deleted: 3 });
    expect(errors).toEqual([]);
  });

  it("a failing handler: released with a delay that doubles per delivery up to the cap; retried about then", async () => {
    const starts: number[] = [];
    const failedAt: number[] = [];
    const { queue, ctl, errors, start } = await setup(
      async (m) => {
        starts.push(Date.now());
        if (m.receiveCount <= 3) {
          failedAt.push(Date.now());
          throw new Error(`boom ${m.receiveCount}`);
        }
      },
      { retryDelayMs: 150, maxRetryDelayMs: 500 },
    );
    await ctl.send(queue, "flaky");
    const w = start();
    await eventually(async () => (await ctl.stats(queue)).deleted === 1, 5000);
    await w.close();
    expect(starts).toHaveLength(4);
    const gaps = [1, 2, 3].map((i) => starts[i]! - failedAt[i - 1]!);
    // 150, 300, then 600 capped to 500
    [150, 300, 500].forEach((delay, i) => {
      expect(gaps[i], `retry ${i + 1} after ${gaps[i]} ms, expected ~${delay}`).toBeGreaterThanOrEqual(delay - EARLY_MS);
      expect(gaps[i], `retry ${i + 1} after ${gaps[i]} ms, expected ~${delay}`).toBeLessThan(delay + WAKE_MS);
    });
    expect(errors.map((e) => [e.info.stage, (e.error as Error).message, e.info.message?.receiveCount])).toEqual([
      ["handler", "boom 1", 1],
      ["handler", "boom 2", 2],
      ["handler", "boom 3", 3],
    ]);
  });

  it("by default the first retry comes about a second later", async () => {
    const starts: number[] = [];
    let failedAt = 0;
    const { queue, ctl, start } = await setup((m) => {
      starts.push(Date.now());
      if (m.receiveCount === 1) {
        failedAt = Date.now();
        // not an Error, and thrown synchronously: still caught and reported
        throw "nope";
      }
    });
    await ctl.send(queue, "x");
    const w = start();
    await eventually(async () => (await ctl.stats(queue)).deleted === 1, 5000);
    await w.close();
    expect(starts).toHaveLength(2);
    const gap = starts[1]! - failedAt;
    expect(gap).toBeGreaterThanOrEqual(1000 - EARLY_MS);
    expect(gap).toBeLessThan(1000 + WAKE_MS);
  });
}

/** Keeping the lease: touches while the handler runs, and what happens when it is lost anyway. */
function leases({ setup }: Kit) {
  it("a long handler keeps its reservation by touching: no redelivery past visibilityMs", async () => {
    let calls = 0;
    const { queue, ctl, errors, start } = await setup(
      async () => {
        calls++;
        await sleep(4000); // four times visibilityMs
      },
      // A lease of 1 s, not less: each touch crosses the transport (over the WebSocket: client, HTTP
      // server, Redis), and on a 2-core machine running three test files at once a 300 ms lease
      // lapsed between two touches now and then (CI, 2026-12-03).
      { visibilityMs: 1000 },
    );
    await ctl.send(queue, "slow");
    const w = start();
    await eventually(async () => (await ctl.stats(queue)).inFlight === 1);
    // another consumer waits the whole time and gets nothing: the reservation never lapsed
    expect(await ctl.receive(queue, { waitMs: 3000 })).toBeNull();
    await eventually(async () => (await ctl.stats(queue)).deleted === 1, 6000);
    await w.close();
    expect(calls).toBe(1);
    expect(await ctl.stats(queue)).toMatchObject({ received: 1, deleted: 1, ready: 0, inFlight: 0 });
    expect(errors).toEqual([]);
  });

  it("a reservation found lost: the handler's signal aborts, NOT_FOUND is reported, nothing is deleted", async () => {
    let signal: AbortSignal | undefined;
    const { queue, ctl, errors, start } = await setup(
      async (_m, ctx) => {
        signal = ctx.signal;
        await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
      },
      { visibilityMs: 150, touchIntervalMs: 600 }, // touches too late on purpose
    );
    await ctl.send(queue, "lapsed");
    const w = start();
    await eventually(() => signal !== undefined); // the worker has it (delivery 1)
    const stolen = await ctl.receive(queue, { waitMs: 2000 }); // comes back after 150 ms
    expect(stolen?.receiveCount).toBe(2);
    await eventually(() => signal?.aborted, 3000);
    await w.close();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.info.stage).toBe("touch");
    expect((errors[0]!.error as { code?: string }).code).toBe("NOT_FOUND");
    // the second delivery is still the current one, untouched by the first worker
    expect(await ctl.delete(queue, stolen!.receipt!)).toBe(true);
  });
}

/** Dead letters through maxReceives, and the concurrency bound. */
function limits({ setup }: Kit) {
  it("a message that keeps failing ends in the dead-letter queue through maxReceives", async () => {
    let calls = 0;
    const { queue, ctl, start } = await setup(
      () => {
        calls++;
        throw new Error("always");
      },
      { retryDelayMs: 50, maxRetryDelayMs: 100 },
    );
    await ctl.configure(queue, { maxReceives: 3 });
    await ctl.send(queue, "poison");
    const w = start();
    const dead = await eventually(() => ctl.receive(`${queue}.dead`), 5000);
    await sleep(200); // would a 4th delivery come? it must not
    await w.close();
    expect(calls).toBe(3);
    expect(dead!.body.toString()).toBe("poison");
    expect(await ctl.stats(queue)).toMatchObject({ ready: 0, inFlight: 0, delayed: 0, received: 3, deadLettered: 1 });
  });

  it("concurrency: never more than N handlers at once, and never more than N reserved", async () => {
    let now = 0;
    let peak = 0;
    const { queue, ctl, start } = await setup(
      async () => {
        peak = Math.max(peak, ++now);
        await sleep(80);
        now--;
      },
      { concurrency: 3 },
    );
    await ctl.sendBatch(queue, Array.from({ length: 12 }, (_, i) => `m${i}`));
    const w = start();
    let maxInFlight = 0;
    await eventually(async () => {
      const s = await ctl.stats(queue);
      maxInFlight = Math.max(maxInFlight, s.inFlight);
      return s.deleted === 12;
    }, 5000, 10);
    await w.close();
    expect(peak).toBe(3);
    expect(maxInFlight).toBeLessThanOrEqual(3);
  });
}

/** Closing: the worker's close(), and the api closed under it. */
function closing({ setup }: Kit) {
  it("close() waits for the handlers in flight (and their deletes), then nothing more is received", async () => {
    const started: string[] = [];
    const finished: string[] = [];
    const { queue, ctl, start } = await setup(
      async (m) => {
        started.push(m.body.toString());
        await sleep(400);
        finished.push(m.body.toString());
      },
      { concurrency: 2 },
    );
    await ctl.sendBatch(queue, ["one", "two"]);
    const w = start();
    await eventually(() => started.length === 2);
    expect(w.active).toBe(2);
    const t0 = Date.now();
    await w.close();
    expect(Date.now() - t0).toBeGreaterThan(200);
    expect(finished.sort()).toEqual(["one", "two"]);
    expect(w.active).toBe(0);
    expect((await ctl.stats(queue)).deleted).toBe(2);
    await ctl.send(queue, "after");
    await sleep(300);
    expect(started).toHaveLength(2);
    expect(await ctl.stats(queue)).toMatchObject({ ready: 1, inFlight: 0 });
  });

  it("close() of an idle worker ends its long poll at once and leaves nothing reserved", async () => {
    const { queue, ctl, start } = await setup(() => {}, { waitMs: 20_000 });
    const w = start();
    await ctl.stats(queue);
    await sleep(150); // the worker is in its long poll
    const t0 = Date.now();
    await w.close();
    expect(Date.now() - t0).toBeLessThan(WAKE_MS);
    await w.done;
    await ctl.send(queue, "later");
    await sleep(150);
    expect(await ctl.stats(queue)).toMatchObject({ ready: 1, inFlight: 0, received: 0 });
  });

  it("the api closed under the worker: CLOSED is reported once and the worker stops", async () => {
    const { workerApi, errors, start } = await setup(() => {});
    const w = start();
    await sleep(100);
    await workerApi.close();
    await w.done;
    expect(errors.map((e) => [e.info.stage, (e.error as { code?: string }).code])).toEqual([["receive", "CLOSED"]]);
  });
}

/** Options checked when the worker is made. */
function badOptions({ api }: Kit) {
  it("bad options are refused at once with BAD_ARGUMENT / BAD_NAME", async () => {
    const a = await api();
    expect(() => createWorker(a, "bad name!", () => {})).toThrow(expect.objectContaining({ code: "BAD_NAME" }));
    expect(() => createWorker(a, "q", () => {}, { concurrency: 0 })).toThrow(expect.objectContaining({ code: "BAD_ARGUMENT" }));
    expect(() => createWorker(a, "q", () => {}, { waitMs: 0 })).toThrow(expect.objectContaining({ code: "BAD_ARGUMENT" }));
    expect(() => createWorker(a, "q", () => {}, { visibilityMs: 1.5 })).toThrow(expect.objectContaining({ code: "BAD_ARGUMENT" }));
    expect(() => createWorker(a, "q", "nope" as never)).toThrow(expect.objectContaining({ code: "BAD_ARGUMENT" }));
  });
}
