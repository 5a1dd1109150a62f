// Dead letters to test redrive with, made the way they are made in use: `n` messages sent to a
// queue and delivered past its maxReceives (1), so they land in `<queue>.dead` with their origin.
import { DEFAULTS, type TinyQSApi } from "@tinyqs/core";
import { sleep } from "./redis-server.js";
import { expect } from "vitest";
import { eventually } from "./util.js";

/**
 * Sends `n` messages (bodies "m0", "m1", …) to `queue` and dead-letters them into `<queue>.dead`
 * (on Redis Cluster: waits for the hand-off); leaves `queue` with its default settings again, so
 * what is redriven there is not dead-lettered again. Resolves with the ids the sends returned.
 */
export async function deadLettered(api: TinyQSApi, queue: string, n: number): Promise<string[]> {
  await api.configure(queue, { maxReceives: 1, visibilityMs: 1 });
  const ids = await api.sendBatch(queue, Array.from({ length: n }, (_, i) => `m${i}`));
  await api.receiveBatch(queue, { max: n });
  await sleep(5); // the leases (1 ms) end
  await api.receiveBatch(queue, { max: n }); // the second delivery dead-letters them all
  await eventually(async () => (await api.stats(`${queue}.dead`)).ready === n, 10_000);
  await api.configure(queue, { maxReceives: 0, visibilityMs: DEFAULTS.visibilityMs });
  return ids;
}

/**
 * One message sent to `queue` and delivered `maxReceives` times (leases of 1 ms, each left to end),
 * so that the next receive dead-letters it into `<queue>.dead` (on Redis Cluster: waits for the
 * hand-off). Leaves `queue` with that maxReceives and `visibilityMs: 1`. Resolves with its id and the
 * receipts of those deliveries: what slow workers of its first life still hold after a redrive.
 */
export async function deadLetteredWithReceipts(api: TinyQSApi, queue: string, maxReceives: number): Promise<{ id: string; receipts: string[] }> {
  await api.configure(queue, { maxReceives, visibilityMs: 1 });
  const id = await api.send(queue, "once");
  const receipts: string[] = [];
  for (let i = 0; i < maxReceives; i++) {
    const m = await api.receive(queue);
    if (m?.id !== id) throw new Error(`delivery ${i + 1} of ${id} did not come (got ${m?.id})`);
    receipts.push(m.receipt!);
    await sleep(5); // the lease (1 ms) ends
  }
  if ((await api.receive(queue)) !== null) throw new Error(`${id} was delivered past maxReceives ${maxReceives}`);
  await eventually(async () => (await api.stats(`${queue}.dead`)).ready === 1, 10_000);
  return { id, receipts };
}

/** Every call that takes a receipt refuses `receipt` as stale: touch, touchBatch, release, respond, deleteBatch, delete. */
export async function expectStaleReceipt(api: TinyQSApi, queue: string, receipt: string): Promise<void> {
  expect(await api.touch(queue, receipt)).toBe(false);
  expect(await api.touchBatch(queue, [receipt])).toEqual([false]);
  expect(await api.release(queue, receipt)).toBe(false);
  expect(await api.respond(queue, receipt, "late")).toBe(false);
  expect(await api.deleteBatch(queue, [receipt])).toEqual([false]);
  expect(await api.delete(queue, receipt)).toBe(false);
}
