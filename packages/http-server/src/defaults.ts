// Every default of the HTTP server in one place, each with the reason for its value.
import { DEFAULTS as CORE_DEFAULTS, LIMITS } from "@tinyqs/core";

export const DEFAULTS = {
  /** Loopback only: exposing a queue to a network is a decision to make on purpose (with --token). */
  host: CORE_DEFAULTS.host,
  /** Next to Redis's 6379 and the TCP server's 7379: 7380 is "tinyqs over HTTP". */
  port: CORE_DEFAULTS.httpPort,
  redis: CORE_DEFAULTS.redis,
  /**
   * Largest raw body a send accepts, checked while the bytes stream in (413 at the first byte over,
   * without reading the rest). The engine's per-queue `maxMessageBytes` still applies after it; this
   * is the server's own ceiling, so a request can never make it buffer more than this.
   */
  maxMessageBytes: CORE_DEFAULTS.maxMessageBytes,
  /** JSON bodies besides the messages themselves (batch framing, keys, a config object). */
  jsonOverheadBytes: 64 * 1024,
  /**
   * Longest long poll a request may ask for. The engine allows an hour; HTTP proxies and load
   * balancers usually cut idle requests after 60 s or so, and SQS stops at 20 s.
   */
  maxWaitMs: 20_000,
  /** A /healthz probe answers 503 when Redis has not answered within this (probes often time out at 1 s). */
  healthTimeoutMs: 800,
  /** WebSocket keep-alive: a socket that misses a pong for this long is closed and its messages come back. */
  wsPingMs: 30_000,
  /** A subscription asks the engine for messages with long polls of this length, back to back. */
  wsPollMs: 20_000,
  /** Highest prefetch of one subscription (the engine's batch limit: one receive fills it). */
  maxPrefetch: LIMITS.maxBatch,
  /**
   * How long a browser may cache a preflight's answer. Ten minutes: fewer OPTIONS round trips, yet a
   * changed --cors-origin reaches pages soon (Chrome caps it at 2 h anyway, Firefox at 24 h).
   */
  corsMaxAgeSeconds: 600,
  /** On SIGTERM/SIGINT, give open requests and sockets this long before closing them anyway. */
  shutdownGraceMs: 10_000,
} as const;
