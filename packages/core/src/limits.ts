// Defaults and ranges, in one place, with the checks that turn bad input into BAD_NAME / BAD_ARGUMENT.
import { TinyQSError } from "./errors.js";

export const LIMITS = {
  /** Default reservation length. */
  visibilityMs: 30_000,
  /** Longest reservation or touch: 12 hours, as in Amazon SQS. */
  maxVisibilityMs: 12 * 3600_000,
  /** Longest delay on send or release: 7 days. */
  maxDelayMs: 7 * 24 * 3600_000,
  /** Longest long poll: 1 hour. */
  maxWaitMs: 3600_000,
  /** Default and hard ceiling of a queue's maxMessageBytes. */
  maxMessageBytes: 1024 * 1024,
  maxMessageBytesCeiling: 64 * 1024 * 1024,
  /** Most messages in one receiveBatch / sendBatch. */
  maxBatch: 1000,
  /** Highest settable maxReceives. */
  maxReceives: 1_000_000,
  /** How long a reply waits for wait() to collect it before it expires: default, and the most a queue may set. */
  replyTtlMs: 5 * 60_000,
  maxReplyTtlMs: 7 * 24 * 3600_000,
  /** How long wait() and request() wait for the reply when not told. */
  replyTimeoutMs: 30_000,
} as const;

/** The grammar of a queue name (servers describe it in their own docs from this). */
export const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

export function checkQueueName(queue: unknown, what = "queue"): string {
  if (typeof queue !== "string" || !QUEUE_NAME.test(queue)) {
    throw new TinyQSError("BAD_NAME", `bad ${what} name ${JSON.stringify(queue)}: use 1-128 characters of A-Z a-z 0-9 _ . -`);
  }
  return queue;
}

/** An integer in [min, max], or `fallback` when undefined. */
export function checkInt(name: string, value: unknown, min: number, max: number, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new TinyQSError("BAD_ARGUMENT", `${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

export function toBuffer(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (typeof body === "string") return Buffer.from(body, "utf8");
  throw new TinyQSError("BAD_ARGUMENT", "a body must be a Buffer, a Uint8Array or a string");
}
