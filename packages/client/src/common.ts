// Shared by both transports: options, and the engine's argument checks and errors they re-use.
import {
  DEFAULTS,
  LIMITS,
  TinyQSError,
  checkInt,
  checkQueueName,
  parseReplyHandle,
  replyHandle,
  replyTimedOut,
  requestAbandoned,
  toBuffer,
} from "@tinyqs/core";

export interface ClientOptions {
  /**
   * How long a command may wait for the connection to be (re)established, in ms (default 10 000, twice
   * the engine's Redis timeout: see DEFAULT_TIMEOUT_MS). Then UNAVAILABLE.
   */
  timeoutMs?: number;
  /**
   * The user to log in as (--users on the server): `AUTH user password` over tinyqs://, Basic
   * user:password over http(s)://. Overrides one in the URL (`tinyqs://user:password@host`).
   */
  username?: string;
  /** The password: tinyqs:// `AUTH [user] password`; http(s):// with `username`, Basic (overrides one in the URL). */
  password?: string;
  /** tinyqss:// and https://: the CA(s) (PEM) the server's certificate must chain to (default: Node's CAs). */
  ca?: string | Buffer;
  /** tinyqss:// and https://: this client's certificate (PEM), for a server with --tls-client-auth. */
  cert?: string | Buffer;
  /** tinyqss:// and https://: the private key of `cert` (PEM). */
  key?: string | Buffer;
  /** tinyqs:// only: most connections kept for long polls (blocking RECEIVE/PEEK) beyond the main one (default 4 idle kept; more are opened on demand). */
  pollPoolSize?: number;
  /** The longest pause between reconnection attempts, in ms (default 2000): tinyqs://, and the WebSocket of an http(s):// worker. */
  maxReconnectDelayMs?: number;
  /** http(s):// only: sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** http(s):// only: the fetch to use (default globalThis.fetch). */
  fetch?: typeof fetch;
  /**
   * Give every send (and each item of a sendBatch) a dedupId of its own when it has none, so that a
   * send whose connection dropped before its reply is sent again without being stored twice
   * (default false). A send with a dedupId is retried on UNAVAILABLE either way, for up to timeoutMs.
   */
  retrySends?: boolean;
}

/**
 * Core's clientTimeoutMs (twice DEFAULTS.redisTimeoutMs): longer than the engine's Redis timeout, so
 * that a server whose Redis is away answers UNAVAILABLE before the client's own deadline
 * (test/timeouts-nest.test.ts checks the order).
 */
export const DEFAULT_TIMEOUT_MS: number = DEFAULTS.clientTimeoutMs;
export const DEFAULT_MAX_RECONNECT_DELAY_MS = 2000;

/** connect()'s options, checked at once (BAD_ARGUMENT), with the engine's range for timeoutMs. */
export function checkClientOptions(options: unknown): asserts options is ClientOptions {
  if (typeof options !== "object" || options === null) throw new TinyQSError("BAD_ARGUMENT", "connect's options are an object");
  const o = options as ClientOptions;
  checkInt("timeoutMs", o.timeoutMs, 1, 600_000, DEFAULT_TIMEOUT_MS);
  checkInt("pollPoolSize", o.pollPoolSize, 0, LIMITS.maxBatch, 4);
  checkInt("maxReconnectDelayMs", o.maxReconnectDelayMs, 1, 600_000, DEFAULT_MAX_RECONNECT_DELAY_MS);
  for (const key of ["username", "password", "token"] as const) {
    if (o[key] !== undefined && typeof o[key] !== "string") throw new TinyQSError("BAD_ARGUMENT", `${key} must be a string`);
  }
  for (const key of ["ca", "cert", "key"] as const) {
    if (o[key] !== undefined && typeof o[key] !== "string" && !Buffer.isBuffer(o[key])) throw new TinyQSError("BAD_ARGUMENT", `${key} must be PEM text (a string or a Buffer)`);
  }
  if ((o.cert === undefined) !== (o.key === undefined)) throw new TinyQSError("BAD_ARGUMENT", "cert and key go together");
  if (o.fetch !== undefined && typeof o.fetch !== "function") throw new TinyQSError("BAD_ARGUMENT", "fetch must be a function");
  if (o.retrySends !== undefined && typeof o.retrySends !== "boolean") throw new TinyQSError("BAD_ARGUMENT", "retrySends must be true or false");
}

/** A reply wait's timeoutMs: core's check; undefined stays undefined, so the server applies its default. */
export { checkReplyTimeoutMs as checkReplyTimeout } from "@tinyqs/core";

/** request() found no reply in time (the engine's error); `timeoutMs` undefined: the default wait. */
export function requestTimedOut(what: string, timeoutMs: number | undefined): TinyQSError {
  return replyTimedOut(what, timeoutMs ?? DEFAULTS.replyTimeoutMs);
}

export { DEFAULTS, LIMITS, checkQueueName, parseReplyHandle, replyHandle, requestAbandoned, toBuffer };
