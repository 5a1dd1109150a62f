// ping() and release({ undeliver }), the two calls the servers need beyond the queue verbs; and
// receive() with a null for its options, as a JavaScript caller may pass.
import { afterAll, describe, expect, inject, it } from "vitest";
import { TinyQS } from "../src/index.js";
import { expectCode, uniqueQueue } from "@tinyqs/test-support";

describe("ping and undeliver", () => {
  const tq = new TinyQS({ redis: inject("redisUrl") });
  afterAll(() => tq.close());

  it("ping resolves while Redis answers, and refuses with CLOSED after close", async () => {
    await expect(tq.ping()).resolves.toBeUndefined();
    const other = new TinyQS({ redis: inject("redisUrl") });
    await other.close();
    await expectCode(() => other.ping(), "CLOSED");
  });

  it("release with undeliver takes the delivery back: the next receive is delivery 1 again", async () => {
    const queue = uniqueQueue("undeliver");
    await tq.send(queue, "x");
    const first = await tq.receive(queue);
    expect(first!.receiveCount).toBe(1);
    expect(await tq.release(queue, first!.receipt!, { undeliver: true })).toBe(true);
    expect((await tq.stats(queue)).received).toBe(0);
    const again = await tq.receive(queue);
    expect(again!.receiveCount).toBe(1);
    expect(again!.receipt).toBe(first!.receipt); // the same delivery number, so the old receipt names it
    // a plain release keeps the count
    expect(await tq.release(queue, again!.receipt!)).toBe(true);
    expect((await tq.receive(queue))!.receiveCount).toBe(2);
  });

  it("receive(queue, null) receives as receive(queue) does", async () => {
    const queue = uniqueQueue("null-options");
    await tq.send(queue, "x");
    const m = await tq.receive(queue, null as never);
    expect(m!.body.toString()).toBe("x");
    expect(await tq.receive(queue, null as never)).toBeNull();
  });
});
