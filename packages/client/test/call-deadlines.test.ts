// Every TCP client call has a deadline (issue 18): with the path to tinyqs-tcp stalled, a command
// already sent fails with UNAVAILABLE ("whether the command ran is unknown") within its timeoutMs
// (+ waitMs for a long poll or reply wait), its connection is reset so a late reply is never matched
// to a later call, and the client works again once the path does.
import { describe, expect, inject, it } from "vitest";
import { createTcpServer } from "@tinyqs/tcp-server";
import { eventually, expectCode, uniqueQueue, proxy, sleep } from "@tinyqs/test-support";
import { connect, type TinyQSApi } from "../src/index.js";

const redis = inject("redisUrl");

/** A tinyqs-tcp behind a proxy, a client through it (timeoutMs 500) and one direct. */
async function stallable(run: (t: { tq: TinyQSApi; direct: TinyQSApi; px: Awaited<ReturnType<typeof proxy>>; q: string }) => Promise<void>) {
  const server = createTcpServer({ redis });
  const { port } = await server.listen(0, "127.0.0.1");
  const px = await proxy(port);
  const tq = connect(`tinyqs://127.0.0.1:${px.port}`, { timeoutMs: 500, maxReconnectDelayMs: 100 });
  const direct = connect(`tinyqs://127.0.0.1:${port}`);
  try {
    await tq.ping();
    await run({ tq, direct, px, q: uniqueQueue("deadline") });
  } finally {
    px.unstall();
    px.flush();
    await Promise.all([tq.close(), direct.close()]);
    await px.close();
    await server.close();
  }
}

/**
 * Open `n` pool connections for long polls while the path is clear (a connection opened during a
 * stall never gets ready: that is the ready wait's timeoutMs, not a deadline on a sent command).
 */
async function warmPool(tq: TinyQSApi, n: number): Promise<void> {
  await Promise.all(Array.from({ length: n }, () => tq.receive(uniqueQueue("warm"), { waitMs: 50 })));
}

/** `call`'s UNAVAILABLE error and how long it took to come. */
async function timedFailure(call: () => Promise<unknown>, what: string): Promise<{ message: string; ms: number }> {
  const start = Date.now();
  const e = await expectCode(call, "UNAVAILABLE", what);
  return { message: e.message, ms: Date.now() - start };
}

describe("TCP client deadlines on a stalled path", () => {
  it("a send fails with UNAVAILABLE (outcome unknown) within about its timeoutMs, long before the stall ends", async () => {
    await stallable(async ({ tq, px, q }) => {
      px.stall(); // nothing passes either way for the whole test (3 s+ left to it)
      const { message, ms } = await timedFailure(() => tq.send(q, "x"), "send on a stalled path");
      expect(ms).toBeGreaterThanOrEqual(450);
      expect(ms).toBeLessThan(1500);
      expect(message).toContain(`no answer from the tinyqs server at 127.0.0.1:${px.port} within 500 ms: whether the command ran is unknown`);
    });
  });

  it("a receive with waitMs 300 fails within timeoutMs + waitMs; so does a reply wait with its timeoutMs", async () => {
    await stallable(async ({ tq, px, q }) => {
      const handle = await tq.put(q, "question");
      await warmPool(tq, 2);
      px.stall();
      const receive = await timedFailure(() => tq.receiveBatch(q, { max: 5, waitMs: 300 }), "long poll on a stalled path");
      expect(receive.ms).toBeGreaterThanOrEqual(750);
      expect(receive.ms).toBeLessThan(1800);
      expect(receive.message).toContain("within 800 ms: whether the command ran is unknown");
      const wait = await timedFailure(() => tq.wait(handle, { timeoutMs: 300 }), "reply wait on a stalled path");
      expect(wait.ms).toBeGreaterThanOrEqual(750);
      expect(wait.ms).toBeLessThan(1800);
      expect(wait.message).toContain("within 800 ms: whether the command ran is unknown");
    });
  });

  it("the other calls pending on the reset connection fail the same way; after the stall each reply is its own call's", async () => {
    await stallable(async ({ tq, direct, px, q }) => {
      const a = await tq.send(q, "a");
      px.stall();
      const b = timedFailure(() => tq.send(q, "b"), "send b");
      await sleep(200);
      // Pipelined behind b on the same connection: cut by b's reset, before its own deadline.
      const b2 = timedFailure(() => tq.send(q, "b2"), "send b2");
      const [fb, fb2] = await Promise.all([b, b2]);
      expect(fb.message).toContain("whether the command ran is unknown");
      expect(fb2.message).toContain("whether the command ran is unknown");
      expect(fb2.ms).toBeLessThan(450);
      px.unstall();
      const c = await tq.send(q, "c");
      // What the server really stored (b and b2 never reached it: their bytes died with the reset
      // connection), each id with its own body.
      const got = await direct.receiveBatch(q, { max: 10 });
      expect(got.map((m) => [m.id, m.body.toString()])).toEqual([
        [a, "a"],
        [c, "c"],
      ]);
      // And through the stalled-then-healed client too.
      const again = await tq.send(q, "d");
      expect((await tq.receiveBatch(q, { max: 10 })).map((m) => [m.id, m.body.toString()])).toEqual([[again, "d"]]);
    });
  });

  it("a late reply (the server ran the command, its answer held past the deadline) is never matched to a later call", async () => {
    await stallable(async ({ tq, direct, px, q }) => {
      await tq.ping();
      px.hold(); // the commands reach the server and run; their answers are kept back
      const fb = await timedFailure(() => tq.send(q, "b"), "send b, answer held");
      expect(fb.message).toContain("whether the command ran is unknown");
      await eventually(async () => (await direct.stats(q)).ready === 1); // it did run
      px.flush(); // b's answer goes to the connection that was reset: nowhere
      const c = await tq.send(q, "c");
      const got = await tq.receiveBatch(q, { max: 10 });
      expect(got.map((m) => m.body.toString())).toEqual(["b", "c"]);
      expect(got.find((m) => m.body.toString() === "c")!.id).toBe(c);
    });
  });

  it("a long poll's deadline resets only its pool connection: the main one is not reconnected", async () => {
    await stallable(async ({ tq, px, q }) => {
      await warmPool(tq, 1);
      expect(px.connections).toBe(2); // the main connection and one for long polls
      px.stall();
      const poll = await timedFailure(() => tq.receive(q, { waitMs: 300 }), "long poll");
      expect(poll.message).toContain("within 800 ms: whether the command ran is unknown");
      px.unstall();
      const id = await tq.send(q, "after");
      expect((await tq.receive(q))?.id).toBe(id);
      expect(px.connections).toBe(2); // main and the pool one from before: main was not reconnected
    });
  });
});
