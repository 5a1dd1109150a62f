// Making the Redis connections the engine uses, and telling a Redis outage apart from a bug.
import { Cluster, Redis, ReplyError, type ClusterNode, type ClusterOptions, type RedisOptions } from "ioredis";
import { DEFAULTS, REDIS_RECONNECT } from "./defaults.js";
import { TinyQSError } from "./errors.js";
import { backoff } from "./timing.js";

export type RedisClient = Redis | Cluster;

/** What `new TinyQS({ redis })` accepts. */
export type RedisInput =
  | string
  | RedisOptions
  | Redis
  | Cluster
  | { cluster: Array<string | ClusterNode>; options?: ClusterOptions };

export interface Connection {
  client: RedisClient;
  /** Created here, so closed here; an instance the caller passed in stays the caller's. */
  owned: boolean;
  isCluster: boolean;
}

/**
 * Options for connections the engine creates. Commands are never queued while Redis is away (a send
 * that failed with UNAVAILABLE must not run later behind the caller's back), nor resent after a
 * reconnect; the engine itself waits up to `timeoutMs` for Redis to be ready before each command.
 */
function ownOptions(timeoutMs: number): RedisOptions {
  return {
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    commandTimeout: timeoutMs,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    // The engine batches its own calls (coalescer.ts); ioredis's auto-pipelining would hold each of
    // those back to a later tick as well. Measured with the peers' harness: scenario D at ~20,000
    // msgs/s with it, ~30,000 without (docs/benchmarks.md).
    enableAutoPipelining: false,
    retryStrategy: (times) => backoff(times + 1, REDIS_RECONNECT.firstMs, REDIS_RECONNECT.maxMs, Math.random),
  };
}

function parseNode(node: string | ClusterNode): ClusterNode {
  if (typeof node !== "string") return node;
  const at = node.lastIndexOf(":");
  return at < 0 ? { host: node, port: 6379 } : { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
}

export function connect(input: RedisInput | undefined, timeoutMs: number): Connection {
  const own = ownOptions(timeoutMs);
  if (input instanceof Redis) return { client: input, owned: false, isCluster: false };
  if (input instanceof Cluster) return { client: input, owned: false, isCluster: true };
  if (input === undefined || typeof input === "string") {
    return { client: new Redis(input ?? DEFAULTS.redis, own), owned: true, isCluster: false };
  }
  if ("cluster" in input) {
    const { enableOfflineQueue, retryStrategy, enableAutoPipelining, ...redisOptions } = own;
    const client = new Cluster(input.cluster.map(parseNode), {
      enableOfflineQueue,
      enableAutoPipelining,
      clusterRetryStrategy: retryStrategy,
      ...input.options,
      redisOptions: { ...redisOptions, ...input.options?.redisOptions },
    });
    return { client, owned: true, isCluster: true };
  }
  return { client: new Redis({ ...own, ...input }), owned: true, isCluster: false };
}

/**
 * A second connection for pub/sub, to the same address. SUBSCRIBE may wait for it to connect: a
 * subscription is idempotent, unlike the commands the main connection refuses to queue.
 */
export function subscriberFor(client: RedisClient): RedisClient {
  return client instanceof Cluster
    ? client.duplicate(undefined, { enableOfflineQueue: true })
    : client.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
}

// Replies that mean "Redis is there but cannot serve now", as opposed to a bug in a script.
const TRANSIENT_REPLY = /^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY|READONLY|MOVED|ASK|NOREPLICAS)\b/;

/** Map whatever ioredis threw to a TinyQSError: reachability problems become UNAVAILABLE. */
export function fromRedisError(err: unknown): TinyQSError {
  if (err instanceof TinyQSError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ReplyError && !TRANSIENT_REPLY.test(message)) {
    return new TinyQSError("INTERNAL", `Redis refused a tinyqs command: ${message}`, { cause: err });
  }
  return new TinyQSError("UNAVAILABLE", `Redis is unavailable: ${message}`, { cause: err });
}
