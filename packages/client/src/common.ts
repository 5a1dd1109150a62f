// Shared by both transports: options, error mapping, argument checks.
import { ERRORS, LIMITS, TinyQSError, checkQueueName, parseReplyHandle, replyHandle, toBuffer, type ErrorCode } from "@tinyqs/core";

export interface ClientOptions {
  /** How long a command may wait for the connection to be (re)established, in ms (default 5000). Then UNAVAILABLE. */
  timeoutMs?: number;
  /** tinyqs:// only: the server's password (overrides one in the URL). */
  password?: string;
  /** tinyqs:// only: most connections kept for long polls (blocking RECEIVE/PEEK) beyond the main one (default 4 idle kept; more are opened on demand). */
  pollPoolSize?: number;
  /** tinyqs:// only: the longest pause between reconnection attempts, in ms (default 2000). */
  maxReconnectDelayMs?: number;
  /** http(s):// only: sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** http(s):// only: the fetch to use (default globalThis.fetch). */
  fetch?: typeof fetch;
}

export const DEFAULT_TIMEOUT_MS = 5000;

const BY_RESP = new Map<string, ErrorCode>(Object.entries(ERRORS).map(([code, e]) => [e.resp as string, code as ErrorCode]));

/** An error reply's text (`CODE message`) as a TinyQSError. */
export function fromReplyText(text: string, cause?: unknown): TinyQSError {
  const sp = text.indexOf(" ");
  const word = sp < 0 ? text : text.slice(0, sp);
  const rest = sp < 0 ? "" : text.slice(sp + 1);
  const code = BY_RESP.get(word);
  if (code) return new TinyQSError(code, rest || undefined, { cause });
  if (word === "WRONGPASS") return new TinyQSError("UNAUTHORIZED", rest || undefined, { cause });
  if (word === "ERR" && /syntax|wrong number/.test(rest)) return new TinyQSError("BAD_ARGUMENT", rest, { cause });
  return new TinyQSError("INTERNAL", text, { cause });
}

/**
 * A reply wait's timeoutMs, checked before anything is sent (the engine's range: 0 up to
 * LIMITS.maxWaitMs); undefined stays undefined, so the server applies its default.
 */
export function checkReplyTimeout(timeoutMs: unknown): number | undefined {
  if (timeoutMs === undefined) return undefined;
  if (typeof timeoutMs !== "number" || !Number.isSafeInteger(timeoutMs) || timeoutMs < 0 || timeoutMs > LIMITS.maxWaitMs) {
    throw new TinyQSError("BAD_ARGUMENT", `timeoutMs must be an integer from 0 to ${LIMITS.maxWaitMs}, not ${JSON.stringify(timeoutMs)}`);
  }
  return timeoutMs;
}

/**
 * request() found no reply in time: the engine's TIMEOUT. `what` is the reply handle when known,
 * so the reply can still be collected with wait().
 */
export function requestTimedOut(what: string, timeoutMs: number | undefined): TinyQSError {
  return new TinyQSError("TIMEOUT", `no reply to ${what} within ${timeoutMs ?? LIMITS.replyTimeoutMs} ms`);
}

/**
 * request() with a signal that had aborted before anything was sent: as in the engine, TIMEOUT (the
 * caller gave up before any reply could come), and the request is not sent at all.
 */
export function requestGivenUp(queue: string): TinyQSError {
  return new TinyQSError("TIMEOUT", `the request to ${queue} was abandoned (signal aborted) before it was sent`);
}

export { LIMITS, checkQueueName, parseReplyHandle, replyHandle, toBuffer };
