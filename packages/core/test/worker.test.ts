// The worker (issue 5): the shared worker suite (worker.ts) on the engine and one private Redis, plus
// the parts that do not depend on the api: the backoff formula, the default error reporter, the exports.
import { describe, expect, inject, it, vi } from "vitest";
import * as core from "../src/index.js";
import { TinyQS, createWorker, retryDelay, WORKER_DEFAULTS } from "../src/index.js";
import { eventually, uniqueQueue } from "@tinyqs/test-support";
import { describeWorker } from "@tinyqs/test-support/worker-suite";

const redisUrl = inject("redisUrl");

describeWorker("the engine", () => new TinyQS({ redis: redisUrl }));

describe("worker, api-independent", () => {
  it("retryDelay: 1 s, doubling per delivery, capped at 5 min by default", () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(n))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelay(9)).toBe(256_000);
    expect(retryDelay(10)).toBe(WORKER_DEFAULTS.maxRetryDelayMs);
    expect(retryDelay(1_000_000)).toBe(300_000);
    expect(retryDelay(0)).toBe(1000); // a peeked-looking count is treated as the first delivery
    expect([1, 2, 3, 4].map((n) => retryDelay(n, 100, 350))).toEqual([100, 200, 350, 350]);
    expect(retryDelay(5, 0, 100)).toBe(0);
  });

  it("tq.process(queue, handler) is a worker on that engine: it handles and deletes", async () => {
    const tq = new TinyQS({ redis: redisUrl });
    const queue = uniqueQueue("w");
    try {
      const seen: string[] = [];
      const w = tq.process(queue, (m) => void seen.push(m.body.toString()), { concurrency: 2 });
      await tq.sendBatch(queue, ["a", "b", "c"]);
      await eventually(async () => (await tq.stats(queue)).deleted === 3);
      await w.close();
      expect(seen.sort()).toEqual(["a", "b", "c"]);
      expect(core).not.toHaveProperty("process"); // Node's global `process` is never shadowed by an import
    } finally {
      await tq.close();
    }
  });

  it("without onError, errors go to console.error and the worker carries on", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const tq = new TinyQS({ redis: redisUrl });
    const queue = uniqueQueue("w");
    try {
      await tq.send(queue, "x");
      const w = createWorker(tq, queue, () => Promise.reject(new Error("handler broke")));
      await eventually(() => spy.mock.calls.length > 0);
      await w.close();
      const [line, err] = spy.mock.calls[0]!;
      expect(line).toMatch(new RegExp(`^tinyqs worker on ${queue}: handler failed \\(message \\S+, delivery 1\\):$`));
      expect((err as Error).message).toBe("handler broke");
      expect(await tq.stats(queue)).toMatchObject({ delayed: 1, inFlight: 0 }); // released with a delay
    } finally {
      spy.mockRestore();
      await tq.close();
    }
  });

  it("an onError that throws does not stop the worker", async () => {
    const tq = new TinyQS({ redis: redisUrl });
    const queue = uniqueQueue("w");
    try {
      await tq.sendBatch(queue, ["1", "2"]);
      let calls = 0;
      const w = createWorker(tq, queue, (m) => {
        if (m.body.toString() === "1" && m.receiveCount === 1) throw new Error("first");
      }, {
        retryDelayMs: 10,
        onError: () => {
          calls++;
          throw new Error("onError broke too");
        },
      });
      await eventually(async () => (await tq.stats(queue)).deleted === 2);
      await w.close();
      expect(calls).toBe(1);
    } finally {
      await tq.close();
    }
  });
});
