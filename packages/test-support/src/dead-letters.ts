// Dead letters to test redrive with, made the way they are made in use: `n` messages sent to a
// queue and delivered past its maxReceives (1), so they land in `<queue>.dead` with their origin.
import { DEFAULTS, type TinyQSApi } from "@tinyqs/core";
import { sleep } from "./redis-server.js";
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
