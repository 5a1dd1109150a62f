// Every default of the HTTP server in one place, each with the reason for its value.
import { BOUNDS_DEFAULTS, DEFAULTS as CORE_DEFAULTS, LIMITS } from "@tinyqs/core";

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
  /** The dashboard's live numbers are sampled this often (one Redis round trip each, while someone watches). */
  uiSampleMs: 1_000,
  /** How much throughput history each sampled queue keeps for the dashboard's chart (in server memory). */
  uiHistoryMs: 15 * 60_000,
  /** On SIGTERM/SIGINT, give open requests and sockets this long before closing them anyway. */
  shutdownGraceMs: 10_000,
  /**
   * A request's headers must be complete within this (else 408 and close): 10 s is ages for a few
   * hundred bytes, and ends slowloris clients that trickle headers to hold a socket (node: 60 s).
   */
  headersTimeoutMs: 10_000,
  /**
   * A whole request (headers and body) must arrive within this (else 408, or a close where a reply
   * can no longer be sent): a batch at its largest (about 1.4 MiB of JSON) in 60 s needs 24 KiB/s.
   * A long poll is not affected: its request is complete when it starts waiting (node: 300 s).
   */
  requestTimeoutMs: 60_000,
  /**
   * A body must arrive at this many bytes/s on average once `bodyRateGraceMs` have passed (else 408
   * REQUEST_TIMEOUT and close); 0: no minimum. 1 KiB/s lets any real link through and cuts a
   * client that sends a byte a second to hold a slot for the whole request timeout.
   */
  minBodyBytesPerSecond: 1024,
  /** How long a body may take before its rate is judged: a slow start (TLS, a busy client) is fine. */
  bodyRateGraceMs: 5_000,
  /** How long a connection may sit idle between two requests (keep-alive): node's own 5 s. */
  keepAliveTimeoutMs: 5_000,
  /**
   * The bounds whatever the clients do (core's BOUNDS_DEFAULTS, with why): the byte budget of all
   * connections together (bodies being read, unsent responses and WebSocket frames), the cut of a
   * connection over its share that reads nothing, the deadline to authenticate and the cap on
   * connections that have not yet (both only with a token), and the connections per remote address.
   */
  ...BOUNDS_DEFAULTS,
} as const;

/** How often node checks the headers and request timeouts (its default, 30 s, would let a 10 s timeout run to 40 s). */
export const TIMEOUT_CHECK_MS = 1_000;
/** How often the server counts unsent bytes per socket and looks for slow readers to cut. */
export const SOCKET_SWEEP_MS = 500;
