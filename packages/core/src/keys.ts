// The only place that names Redis keys, and that says which keys each Lua script takes in what
// order. Every key of a queue carries the hash tag `{<queue>}`, so a queue lives in one Redis Cluster
// slot and its scripts can touch all of its keys atomically, while different queues spread over the
// cluster. Queue names cannot contain `{`, `}` or `:`.
//
// A script's KEYS come from its builder in `scriptKeys` and nowhere else, so the order a script's
// header documents (KEYS[1], KEYS[2], …) is written once on this side; test/lua-headers.test.ts holds
// each builder to its script's header. Scripts that take the same keys take them in one order:
// ready, delayed, inflight, bodies, stats, config, then the keys of their own (replies, outbox, …).
import { DEFAULTS } from "./defaults.js";

export interface QueueKeys {
  // ready, delayed and inflight hold entries: "<id>" for a message never delivered, "<id>.<n>" for
  // one delivered n times (in all its lives: redrive keeps counting). An in-flight entry is the receipt of that delivery.
  /** LIST of entries ready to be received, oldest first (LPOP takes, RPUSH appends). */
  ready: string;
  /** ZSET entry → due time (ms): sent or released with a delay. */
  delayed: string;
  /** ZSET entry (= receipt) → lease end (ms): reserved by a receive. */
  inflight: string;
  /** HASH id → body. */
  bodies: string;
  /** HASH of counters: seq (last id number), sent, received, deleted, deadLettered, deduplicated. */
  stats: string;
  /** HASH of settings: visibilityMs, maxReceives, deadLetterQueue, maxMessageBytes, replyTtlMs, dedupWindowMs; and paused ("1") while paused. */
  config: string;
  /**
   * LIST of messages waiting to be handed to another queue (possibly in another Cluster slot): dead
   * letters going to the dead-letter queue (Redis Cluster only), and redriven dead letters (redrive-6.lua).
   */
  outbox: string;
  /** HASH outbox id → body. */
  outboxBodies: string;
  /** HASH outbox id → "<target queue>/<id to keep>.<its deliveries so far>" for a redriven letter; none for a dead letter (it goes to the dead-letter queue, under a new id). */
  outboxRoutes: string;
  /** ZSET `<source queue>/<outbox id>` → time: dead letters already taken in, to make the hand-off idempotent. */
  adopted: string;
  /** HASH request id → reply (respond stores, wait collects). */
  replies: string;
  /** ZSET request id → time (ms) its reply expires; the two reply keys expire whole with the latest. */
  replyExpiry: string;
  /** HASH of a front end's own records about the queue, kept beside its settings (the SQS port's attributes and timestamps). */
  meta: string;
  /** HASH id → ms of its first receive through the SQS port (first-receive-1.lua). */
  firstReceived: string;
  /** HASH dedup id → id of the message first sent with it (idempotent sends). */
  dedup: string;
  /** ZSET dedup id → time (ms) its window ends; the two dedup keys expire whole with the latest. */
  dedupExpiry: string;
  /** Pub/sub channel: a message when the queue may have become receivable (not a key, same tag). */
  wake: string;
  /** Pub/sub channel: a message carrying the ids (space-separated) of requests whose replies were just stored. */
  replied: string;
}

export class KeySpace {
  /** SET of queue names that exist (not hash-tagged: it spans queues, and is never touched by a script). */
  readonly registry: string;

  /**
   * The keys of each queue named so far, made once: every receive asks for its queue's wake channel
   * (waiters.ts) and every receive script call for the dead-letter queue's keys, and building the
   * eighteen names each time was a measurable part of a receive. Shared: callers only read them.
   * Grows with the queue names used, as the engine's own per-queue state does.
   */
  private readonly made = new Map<string, QueueKeys>();

  constructor(readonly prefix: string = DEFAULTS.prefix) {
    this.registry = `${prefix}:queues`;
  }

  queue(queue: string): QueueKeys {
    let keys = this.made.get(queue);
    if (!keys) this.made.set(queue, (keys = this.build(queue)));
    return keys;
  }

  private build(queue: string): QueueKeys {
    const base = `${this.prefix}:{${queue}}:`;
    return {
      ready: base + "ready",
      delayed: base + "delayed",
      inflight: base + "inflight",
      bodies: base + "bodies",
      stats: base + "stats",
      config: base + "config",
      outbox: base + "outbox",
      outboxBodies: base + "outbox-bodies",
      outboxRoutes: base + "outbox-routes",
      adopted: base + "adopted",
      replies: base + "replies",
      replyExpiry: base + "reply-expiry",
      meta: base + "meta",
      firstReceived: base + "first-received",
      dedup: base + "dedup",
      dedupExpiry: base + "dedup-expiry",
      wake: base + "wake",
      replied: base + "replied",
    };
  }
}

/** Where receive-9.lua moves dead letters: the dead-letter queue itself, or this queue's outbox. */
export interface DeadLetterTarget {
  ready: string;
  bodies: string;
  stats: string;
}

/**
 * On Redis Cluster the dead-letter queue may live in another slot, so dead letters wait in this
 * queue's outbox (same slot), numbered by this queue's seq and Redis's time, until the engine hands them over.
 */
export function outboxTarget(keys: QueueKeys): DeadLetterTarget {
  return { ready: keys.outbox, bodies: keys.outboxBodies, stats: keys.stats };
}

declare const forScript: unique symbol;
/** The KEYS of one script: a tuple as long as the script's key count, usable only for that script. */
export type Keys<S extends string, T extends readonly string[]> = T & { readonly [forScript]: S };

const keysFor = <S extends string, const T extends readonly string[]>(_script: S, keys: T) => keys as Keys<S, T>;

/** One KEYS builder per Lua script, named as its file `<verb>-<n>.lua`. */
export const scriptKeys = {
  send: (q: QueueKeys) => keysFor("send", [q.ready, q.delayed, q.bodies, q.stats, q.config, q.dedup, q.dedupExpiry]),
  receive: (q: QueueKeys, target: DeadLetterTarget) =>
    keysFor("receive", [q.ready, q.delayed, q.inflight, q.bodies, q.stats, q.config, target.ready, target.bodies, target.stats]),
  delete: (q: QueueKeys) => keysFor("delete", [q.ready, q.delayed, q.inflight, q.bodies, q.stats]),
  touch: (q: QueueKeys) => keysFor("touch", [q.inflight, q.config]),
  release: (q: QueueKeys) => keysFor("release", [q.ready, q.delayed, q.inflight, q.bodies, q.stats]),
  stats: (q: QueueKeys) => keysFor("stats", [q.ready, q.delayed, q.inflight, q.stats, q.config]),
  purge: (q: QueueKeys) => keysFor("purge", [q.ready, q.delayed, q.inflight, q.bodies]),
  browse: (q: QueueKeys) => keysFor("browse", [q.ready, q.delayed, q.inflight, q.bodies]),
  respond: (q: QueueKeys) => keysFor("respond", [q.inflight, q.bodies, q.stats, q.config, q.replies, q.replyExpiry]),
  collect: (q: QueueKeys) => keysFor("collect", [q.replies, q.replyExpiry]),
  "restore-reply": (q: QueueKeys) => keysFor("restore-reply", [q.replies, q.replyExpiry]),
  /** `dlq`: the keys of the dead-letter queue that takes the letters in. */
  adopt: (dlq: QueueKeys) => keysFor("adopt", [dlq.ready, dlq.bodies, dlq.stats, dlq.adopted]),
  "first-receive": (q: QueueKeys) => keysFor("first-receive", [q.firstReceived]),
  /** `source`: the keys of the queue whose outbox is emptied. */
  "unqueue-outbox": (source: QueueKeys) => keysFor("unqueue-outbox", [source.outbox, source.outboxBodies, source.outboxRoutes]),
  /** `dlq`: the keys of the dead-letter queue whose letters move to its outbox, on their way back. */
  redrive: (dlq: QueueKeys) => keysFor("redrive", [dlq.ready, dlq.bodies, dlq.stats, dlq.outbox, dlq.outboxBodies, dlq.outboxRoutes]),
};

/** Every key of a queue (not its pub/sub channels): what deleting a queue deletes. */
export function allKeysOf(q: QueueKeys): string[] {
  const { wake: _wake, replied: _replied, ...keys } = q;
  return Object.values(keys);
}

/** A Lua script, by the verb of its file name. */
export type ScriptName = keyof typeof scriptKeys;
/** What `scriptKeys[name]` builds: the only KEYS `Scripts.run(name, …)` takes. */
export type ScriptKeys<S extends ScriptName> = ReturnType<(typeof scriptKeys)[S]>;
