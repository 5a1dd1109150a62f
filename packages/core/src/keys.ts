// The only place that names Redis keys. Every key of a queue carries the hash tag `{<queue>}`, so a
// queue lives in one Redis Cluster slot and its scripts can touch all of its keys atomically, while
// different queues spread over the cluster. Queue names cannot contain `{`, `}` or `:`.
import { DEFAULTS } from "./defaults.js";

export interface QueueKeys {
  // ready, delayed and inflight hold entries: "<id>" for a message never delivered, "<id>.<n>" for
  // one delivered n times. An in-flight entry is the receipt of that delivery.
  /** LIST of entries ready to be received, oldest first (LPOP takes, RPUSH appends). */
  ready: string;
  /** ZSET entry → due time (ms): sent or released with a delay. */
  delayed: string;
  /** ZSET entry (= receipt) → lease end (ms): reserved by a receive. */
  inflight: string;
  /** HASH id → body. */
  bodies: string;
  /** HASH of counters: seq (last id number), sent, received, deleted, deadLettered. */
  stats: string;
  /** HASH of settings: visibilityMs, maxReceives, deadLetterQueue, maxMessageBytes, replyTtlMs. */
  config: string;
  /** LIST of dead letters waiting to be handed to the dead-letter queue (Redis Cluster only). */
  outbox: string;
  /** HASH outbox id → body (Redis Cluster only). */
  outboxBodies: string;
  /** ZSET `<source queue>/<outbox id>` → time: dead letters already taken in, to make the hand-off idempotent. */
  adopted: string;
  /** HASH request id → reply (respond stores, wait collects). */
  replies: string;
  /** ZSET request id → time (ms) its reply expires; the two reply keys expire whole with the latest. */
  replyExpiry: string;
  /** Pub/sub channel: a message when the queue may have become receivable (not a key, same tag). */
  wake: string;
  /** Pub/sub channel: a message carrying the ids (space-separated) of requests whose replies were just stored. */
  replied: string;
}

export class KeySpace {
  /** SET of queue names that exist (not hash-tagged: it spans queues, and is never touched by a script). */
  readonly registry: string;

  constructor(readonly prefix: string = DEFAULTS.prefix) {
    this.registry = `${prefix}:queues`;
  }

  queue(queue: string): QueueKeys {
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
      adopted: base + "adopted",
      replies: base + "replies",
      replyExpiry: base + "reply-expiry",
      wake: base + "wake",
      replied: base + "replied",
    };
  }
}
