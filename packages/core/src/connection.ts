// The engine's Redis connections: making them, waiting (bounded) for them to be ready before each
// command, running the Lua scripts on them, closing what was made here, and telling a Redis outage
// apart from a bug. Every command of the engine goes through `Connection.call` or `.run`, so each
// fails the same way: UNAVAILABLE within timeoutMs, CLOSED once the engine is closed.
import calculateSlot from "cluster-key-slot";
import { Cluster, Redis, ReplyError, type ChainableCommander, type ClusterNode, type ClusterOptions, type RedisOptions } from "ioredis";
import { DEFAULTS, REDIS_RECONNECT } from "./defaults.js";
import { ERRORS, TinyQSError, type ErrorCode } from "./errors.js";
import type { ScriptKeys, ScriptName } from "./keys.js";
import { waitForReplicas, type DurabilityOptions } from "./durability.js";
import { checkRedisSettings, type RedisSettingsOptions } from "./redis-settings.js";
import { Scripts, type ScriptArg } from "./scripts.js";
import { backoff } from "./timing.js";

export type RedisClient = Redis | Cluster;

/** What `new TinyQS({ redis })` accepts. */
export type RedisInput =
  | string
  | RedisOptions
  | Redis
  | Cluster
  | { cluster: Array<string | ClusterNode>; options?: ClusterOptions };

interface Opened {
  client: RedisClient;
  /** Created here, so closed here; an instance the caller passed in stays the caller's. */
  owned: boolean;
  isCluster: boolean;
}

/**
 * Options for connections the engine creates. Commands are never queued while Redis is away (a send
 * that failed with UNAVAILABLE must not run later behind the caller's back), nor resent after a
 * reconnect; `Connection.call` waits up to `timeoutMs` for Redis to be ready before each command.
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
    retryStrategy: (times) =>
      backoff(times, REDIS_RECONNECT.firstMs, REDIS_RECONNECT.maxMs) + Math.floor(Math.random() * REDIS_RECONNECT.jitterMs),
  };
}

function parseNode(node: string | ClusterNode): ClusterNode {
  if (typeof node !== "string") return node;
  const at = node.lastIndexOf(":");
  return at < 0 ? { host: node, port: 6379 } : { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
}

function open(input: RedisInput | undefined, timeoutMs: number): Opened {
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
function subscriberFor(client: RedisClient): RedisClient {
  return client instanceof Cluster
    ? client.duplicate(undefined, { enableOfflineQueue: true })
    : client.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
}

/** One read for `Connection.pipelined`: the key that says where it runs, and how to add it to a pipeline. */
export interface PipelinedRead {
  key: string;
  add(pipeline: ChainableCommander): void;
}

/** The command connection (with the scripts loaded on it) and the subscriber connection of one engine. */
export class Connection {
  readonly client: RedisClient;
  /** Shared by every long poll and reply wait of the engine (waiters.ts). */
  readonly subscriber: RedisClient;
  readonly owned: boolean;
  readonly isCluster: boolean;
  private readonly scripts: Scripts;
  /** One shared wait for the connection, however many operations are waiting for it. */
  private readyWait: Promise<void> | null = null;
  /**
   * Redis's settings (redis-settings.ts), checked before the first command: "passed", or the check on
   * its way, or its refusal (MISCONFIGURED), which every command then gets. A check that could not
   * reach Redis is forgotten, to be tried again by the next command.
   */
  private settings: Promise<void> | "passed" | null = null;

  constructor(
    input: RedisInput | undefined,
    private readonly timeoutMs: number,
    private readonly isClosed: () => boolean,
    private readonly settingsOptions: RedisSettingsOptions,
    private readonly durability?: Required<DurabilityOptions>,
  ) {
    ({ client: this.client, owned: this.owned, isCluster: this.isCluster } = open(input, timeoutMs));
    this.subscriber = subscriberFor(this.client);
    // ioredis reports connection trouble as 'error' events; operations report it as UNAVAILABLE.
    if (this.owned) this.client.on("error", () => {});
    this.subscriber.on("error", () => {});
    this.scripts = new Scripts(this.client);
  }

  /** Run a Lua script (its KEYS from its builder in keys.ts), as `call` runs a command. */
  run<S extends ScriptName>(name: S, keys: ScriptKeys<S>, args: ScriptArg[], buffers = false): Promise<unknown> {
    return this.call(async () => {
      const reply = await this.scripts.run(name, keys, args, buffers);
      // Every script but stats writes: with durability asked for, it resolves once replicas have it.
      if (this.durability && name !== "stats") await waitForReplicas(this.client, keys[0]!, this.durability);
      return reply;
    });
  }

  /** A read-only script as one read of `pipelined` (its first key says where it runs). */
  scriptRead<S extends ScriptName>(name: S, keys: ScriptKeys<S>, args: ScriptArg[]): PipelinedRead {
    return { key: keys[0]!, add: (p) => this.scripts.queueOn(p, name, keys, args) };
  }

  /**
   * Many reads in one round trip: one pipeline on one Redis; on a Cluster one pipeline per master
   * (grouped by the slot of each read's key), all sent at once. For reads only: a pipeline is not
   * atomic and nothing in it is resent. Replies in the order of `reads`; one failed read fails all.
   */
  pipelined(reads: readonly PipelinedRead[]): Promise<unknown[]> {
    return this.call(async () => {
      const groups = new Map<string, number[]>();
      reads.forEach((read, i) => {
        const where = this.isCluster ? this.masterOf(read.key, i) : "";
        groups.set(where, [...(groups.get(where) ?? []), i]);
      });
      const replies: unknown[] = new Array(reads.length);
      await Promise.all(
        [...groups.values()].map(async (indexes) => {
          const pipeline = this.client.pipeline();
          for (const i of indexes) reads[i]!.add(pipeline);
          const results = (await pipeline.exec()) ?? [];
          results.forEach(([err, value], j) => {
            if (err) throw err;
            replies[indexes[j]!] = value;
          });
        }),
      );
      return replies;
    });
  }

  /** The master holding `key`'s slot, as ioredis's slot table says; unknown (a table not loaded yet): a group of its own. */
  private masterOf(key: string, i: number): string {
    return (this.client as Cluster).slots[calculateSlot(key)]?.[0] ?? `unknown-${i}`;
  }

  /** A write that is not a script (configure's HSET), with the same replica wait. */
  write<T>(key: string, command: () => Promise<T>): Promise<T> {
    return this.call(async () => {
      const reply = await command();
      if (this.durability) await waitForReplicas(this.client, key, this.durability);
      return reply;
    });
  }

  /** Wait (bounded) for Redis to be ready, run one command, and turn failures into TinyQSErrors. */
  async call<T>(command: () => Promise<T>): Promise<T> {
    if (this.isClosed()) throw new TinyQSError("CLOSED");
    if (this.client.status !== "ready") await this.whenReady();
    if (this.settings !== "passed") await this.checkSettings();
    try {
      return await command();
    } catch (err) {
      throw this.isClosed() ? new TinyQSError("CLOSED") : fromRedisError(err, this.timeoutMs);
    }
  }

  /** Check Redis's settings once (see `settings`); rejects with MISCONFIGURED or UNAVAILABLE. */
  async checkSettings(): Promise<void> {
    if (this.settings === "passed") return;
    if (this.client.status !== "ready") await this.whenReady();
    // (another caller's check may have passed meanwhile: then this awaits "passed", at once)
    this.settings ??= checkRedisSettings(this.client, this.settingsOptions).then(
      () => void (this.settings = "passed"),
      (e: unknown) => {
        const error = fromRedisError(e, this.timeoutMs);
        if (error.code !== "MISCONFIGURED") this.settings = null;
        throw error;
      },
    );
    await this.settings;
  }

  /** Closes the subscriber, and the command connection if it was made here. */
  async close(): Promise<void> {
    const quit = (c: RedisClient) => c.quit().catch(() => c.disconnect());
    await Promise.all([quit(this.subscriber), this.owned ? quit(this.client) : Promise.resolve()]);
  }

  private whenReady(): Promise<void> {
    return (this.readyWait ??= this.waitForReady().finally(() => (this.readyWait = null)));
  }

  private waitForReady(): Promise<void> {
    const redis = this.client;
    if (redis.status === "wait") redis.connect().catch(() => {});
    return new Promise((resolve, reject) => {
      const done = (err?: TinyQSError) => {
        clearTimeout(timer);
        redis.off("ready", onReady);
        if (err) reject(err);
        else resolve();
      };
      const onReady = () => done();
      const timer = setTimeout(
        () => done(new TinyQSError("UNAVAILABLE", `Redis is unavailable: not connected after ${this.timeoutMs} ms (status ${redis.status})`)),
        this.timeoutMs,
      );
      redis.on("ready", onReady);
      if (redis.status === "ready") done();
    });
  }
}

/**
 * What Redis and ioredis say, in tinyqs's words: a caller reads what happened, not ioredis's option
 * names. Matched on the message because ioredis gives most of these no class of its own; the first
 * match wins, and the original error stays as `cause` (for logs).
 */
const SAID: ReadonlyArray<{ said: RegExp; code: ErrorCode; words: (message: string, timeoutMs?: number) => string }> = [
  // A script that hit maxmemory under noeviction wrote nothing (Redis checks before its first write).
  { said: /^OOM\b/, code: "FULL", words: () => ERRORS.FULL.message },
  { said: /^Command timed out/, code: "UNAVAILABLE", words: (_, ms) => (ms === undefined ? "Redis did not answer in time" : `Redis did not answer within ${ms} ms`) },
  // maxRetriesPerRequest is 0 (ownOptions): a command in flight when the connection dropped.
  {
    said: /^(Reached the max retries per request limit|Connection is closed)/,
    code: "UNAVAILABLE",
    words: () => "Redis is unavailable: the connection closed before Redis answered (whether the command ran is unknown)",
  },
  { said: /^Stream isn't writeable/, code: "UNAVAILABLE", words: () => "Redis is unavailable: the connection is down (reconnecting)" },
  { said: /^Too many Cluster redirections/, code: "UNAVAILABLE", words: () => "the Redis Cluster is failing over (a command was redirected too many times)" },
  { said: /^(CLUSTERDOWN|TRYAGAIN|MOVED|ASK)\b/, code: "UNAVAILABLE", words: (m) => `the Redis Cluster is failing over (Redis said: ${m})` },
  {
    said: /^(Failed to refresh slots cache|Cluster isn't ready)/,
    code: "UNAVAILABLE",
    words: () => "the Redis Cluster is failing over (no node could say which one holds the keys)",
  },
  { said: /^None of startup nodes is available/, code: "UNAVAILABLE", words: () => "Redis is unavailable: no node of the Redis Cluster can be reached" },
  // Redis is there but cannot serve now, as opposed to a bug in a script.
  { said: /^(LOADING|MASTERDOWN|BUSY|READONLY|NOREPLICAS)\b/, code: "UNAVAILABLE", words: (m) => `Redis is unavailable: ${m}` },
];

/**
 * Map whatever ioredis threw to a TinyQSError, in tinyqs's words (SAID above): a full Redis is FULL,
 * reachability problems UNAVAILABLE, any other refusal of a command INTERNAL (a bug in tinyqs).
 * `timeoutMs` is the engine's, for the words of a command that timed out.
 */
export function fromRedisError(err: unknown, timeoutMs?: number): TinyQSError {
  if (err instanceof TinyQSError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const known = SAID.find((s) => s.said.test(message));
  if (known) return new TinyQSError(known.code, known.words(message, timeoutMs), { cause: err });
  if (err instanceof ReplyError) return new TinyQSError("INTERNAL", `Redis refused a tinyqs command: ${message}`, { cause: err });
  // Node's own socket errors (connect ECONNREFUSED …) say what happened already.
  return new TinyQSError("UNAVAILABLE", `Redis is unavailable: ${message}`, { cause: err });
}
