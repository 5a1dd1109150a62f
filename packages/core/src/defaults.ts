// Every default of the engine, the worker and the ports the servers and clients meet on, each with
// why it is what it is. A setting a caller leaves out takes its value from here, and the servers'
// own defaults tables, the clients and `pnpm start` read the shared ones (ports, Redis, the
// clients' timeoutMs) from here too. Ranges — what a caller may ask for instead — are in arguments.ts.

/**
 * Timeouts nest, each layer's longer than the one beneath it (engine < server < client; the one
 * table of them: packages/client/README.md, "Timeouts: how they nest"), so that when Redis is away
 * the engine's UNAVAILABLE is what reaches the caller, not a client's own TIMEOUT that hides why.
 */
const REDIS_TIMEOUT_MS = 5000;

export const DEFAULTS = {
  /** A reservation long enough for most jobs, short enough that a crashed worker's message comes back soon: SQS's 30 s. */
  visibilityMs: 30_000,
  /** A queue's largest body: 1 MiB (SQS allows 256 KiB, Redis strings 512 MiB; bodies are held whole in memory). */
  maxMessageBytes: 1024 * 1024,
  /** How long a reply waits for wait() to collect it: long enough for a caller that reconnects, short enough not to pile up. */
  replyTtlMs: 5 * 60_000,
  /** How long a dedupId holds (idempotent sends): SQS's 5 minutes, past any client's retries after a dropped connection. */
  dedupWindowMs: 5 * 60_000,
  /** How long wait() and request() wait for the reply when not told: a patient RPC. */
  replyTimeoutMs: 30_000,
  /** How long an operation waits for an unreachable Redis before failing with UNAVAILABLE: past a brief blip, short of a client's patience. */
  redisTimeoutMs: REDIS_TIMEOUT_MS,
  /**
   * How long a client (tinyqs:// and http(s)://) waits for a server's answer, long polls' waitMs on
   * top: twice the engine's Redis timeout, so a server whose Redis is away has time to say so
   * (UNAVAILABLE, 503) — even after a second Redis call — before the client gives up with TIMEOUT.
   */
  clientTimeoutMs: 2 * REDIS_TIMEOUT_MS,
  /** The first part of every Redis key: a Redis shared with other software keeps tinyqs's keys apart. */
  prefix: "tinyqs",
  /** Where the engine finds Redis when not told: a Redis on this machine's standard port. */
  redis: "redis://127.0.0.1:6379",
  /** Loopback only: putting a queue (maybe without a password) on the network must be a choice. */
  host: "127.0.0.1",
  /** The TCP server: Redis's 6379 + 1000, easy to remember, and no clash with a Redis on the same machine. */
  tcpPort: 7379,
  /** The HTTP server: next to the TCP server's 7379, 7380 is "tinyqs over HTTP". */
  httpPort: 7380,
  /** browse(): a screenful of messages. */
  browseLimit: 20,
  /** browse(): each body cut to 64 KiB, so a page of previews stays small whatever the bodies; ask for more to see more. */
  browseBodyBytes: 64 * 1024,
} as const;

/** The worker's defaults (createWorker / process()). */
export const WORKER_DEFAULTS = {
  /** One handler at a time: the safe choice for handlers that were not written to run side by side. */
  concurrency: 1,
  /** Each long poll: the HTTP server's ceiling, so the same worker code runs unchanged on every transport. */
  waitMs: 20_000,
  /** The first retry of a failed message after 1 s, doubling per delivery: quick for a blip, patient for an outage. */
  retryDelayMs: 1_000,
  /** … up to 5 minutes: a message that keeps failing is still retried a few times an hour until it dead-letters. */
  maxRetryDelayMs: 300_000,
  /** A failed receive is retried after this, doubling per failure up to `receiveErrorMaxMs`: no busy loop while Redis is away. */
  receiveErrorMs: 100,
  receiveErrorMaxMs: 5_000,
} as const;

/**
 * Reconnecting to Redis (the engine's own connections): 100 ms doubling up to 2 s, so a restart of
 * Redis is noticed within about a second and an outage costs few attempts, plus up to 100 ms at random
 * so that many engines cut at once do not all come back in the same millisecond.
 */
export const REDIS_RECONNECT = { firstMs: 100, maxMs: 2000, jitterMs: 100 } as const;

/**
 * The bounds both servers keep whatever their clients do (issue 16): their defaults, each with why.
 * The servers' own defaults tables take them from here; the ranges are in bounds.ts.
 */
export const BOUNDS_DEFAULTS = {
  /**
   * Bytes a server holds for all its clients together (commands read ahead, unsent replies, bodies
   * being read): 256 MiB, a fraction of a small VM, yet room for 256 bodies of the largest default
   * size in flight at once. At it, the connections holding the most are read no further.
   */
  maxBufferedBytes: 256 * 1024 * 1024,
  /**
   * How long a connection holding more than its share of a full budget may leave its replies
   * unread before it is cut: 10 s is far longer than any client that reads needs to take a reply,
   * short enough that the messages it held come back soon.
   */
  slowReaderTimeoutMs: 10_000,
  /** A connection must authenticate within this (with a password/token set): 10 s is plenty for a handshake. */
  authTimeoutMs: 10_000,
  /** Connections waiting to authenticate at once: an honest client needs one for a moment; a flood needs many. */
  maxPendingAuth: 1_000,
  /**
   * Open connections from one remote address (0: no limit): 1 000 is more than a host of workers
   * needs (one connection each), and a tenth of the server's --max-connections default, so one host
   * cannot take every slot.
   */
  maxConnectionsPerAddress: 1_000,
} as const;
