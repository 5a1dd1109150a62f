// Replica-acknowledged writes (new TinyQS({ durability: { replicas, timeoutMs } })): after each
// write, Redis's WAIT says how many replicas have every write of the connection so far. One WAIT
// follows each script call, and the engine merges the operations of a tick into one script call per
// queue (coalescer.ts), so a batch of sends costs one WAIT, not one per message. WAIT counts the
// writes of the connection it is sent on; on Redis Cluster that is the connection to the master that
// took the write, so the WAIT goes in a pipeline with a command on a key of the same slot, which
// ioredis routes to that master.
import { Cluster } from "ioredis";
import { checkInt } from "./arguments.js";
import type { RedisClient } from "./connection.js";
import { TinyQSError } from "./errors.js";

export interface DurabilityOptions {
  /** Replicas that must have each write before it resolves (0: do not wait, the default). */
  replicas: number;
  /** How long to wait for them (default 1000 ms); fewer in time: UNAVAILABLE (the write may exist). */
  timeoutMs?: number;
}

export const DURABILITY_TIMEOUT_MS = 1000;

/** The option, checked: undefined when no replica is asked for. */
export function checkDurability(d: unknown, redisTimeoutMs: number): Required<DurabilityOptions> | undefined {
  if (d === undefined) return undefined;
  if (typeof d !== "object" || d === null) throw new TinyQSError("BAD_ARGUMENT", "durability is { replicas, timeoutMs? }");
  const o = d as DurabilityOptions;
  const replicas = checkInt("durability.replicas", o.replicas, 0, 100);
  // Below the engine's Redis timeout: the WAIT must end (with its count) before the command times out.
  const timeoutMs = checkInt("durability.timeoutMs", o.timeoutMs, 1, Math.max(1, redisTimeoutMs - 1), Math.max(1, Math.min(DURABILITY_TIMEOUT_MS, redisTimeoutMs - 1)));
  return replicas === 0 ? undefined : { replicas, timeoutMs };
}

/** WAIT for the write just made on `key`'s master; UNAVAILABLE when fewer replicas than asked have it. */
export async function waitForReplicas(client: RedisClient, key: string, d: Required<DurabilityOptions>): Promise<void> {
  let acked: number;
  if (client instanceof Cluster) {
    const replies = await client.pipeline().exists(key).call("WAIT", d.replicas, d.timeoutMs).exec();
    const [err, n] = replies![1]!;
    if (err) throw err;
    acked = Number(n);
  } else {
    acked = Number(await client.call("WAIT", d.replicas, d.timeoutMs));
  }
  if (acked < d.replicas) {
    throw new TinyQSError(
      "UNAVAILABLE",
      `only ${acked} of ${d.replicas} replicas acknowledged the write within ${d.timeoutMs} ms: it is stored on the master and may exist, but could be lost if the master fails`,
    );
  }
}
