// The engine's argument checks: the options' ranges, receipts, ids, batches and configure's changes.
// The engine runs them, and so do the clients before they send, so that a bad argument is the same
// TinyQSError (code and message) whichever way it arrives.
import { TinyQSError } from "./errors.js";
import { LIMITS, checkInt, checkQueueName } from "./limits.js";
import type { QueueConfig } from "./types.js";

/**
 * The settings configure() takes, with the range of each number, in the order messages and replies
 * list them. The servers read their settings through this table too (QCONFIG, PUT /v1/queues/:queue).
 */
export const CONFIG_SETTINGS: ReadonlyArray<
  { name: "visibilityMs" | "maxReceives" | "maxMessageBytes" | "replyTtlMs"; min: number; max: number } | { name: "deadLetterQueue" }
> = [
  { name: "visibilityMs", min: 1, max: LIMITS.maxVisibilityMs },
  { name: "maxReceives", min: 0, max: LIMITS.maxReceives },
  { name: "deadLetterQueue" },
  { name: "maxMessageBytes", min: 1, max: LIMITS.maxMessageBytesCeiling },
  { name: "replyTtlMs", min: 1, max: LIMITS.maxReplyTtlMs },
];

/** The names of the settings, in order. */
export const CONFIG_FIELDS: ReadonlyArray<keyof QueueConfig> = CONFIG_SETTINGS.map((s) => s.name);

/** A long poll's waitMs (0 when not given: answer at once). */
export const checkWaitMs = (waitMs: unknown): number => checkInt("waitMs", waitMs, 0, LIMITS.maxWaitMs, 0);

/** A reservation length; undefined stays undefined (the queue's setting applies). */
export const checkVisibilityMs = (visibilityMs: unknown): number | undefined =>
  visibilityMs === undefined ? undefined : checkInt("visibilityMs", visibilityMs, 1, LIMITS.maxVisibilityMs);

/** A send's or release's delayMs (0 when not given). */
export const checkDelayMs = (delayMs: unknown): number => checkInt("delayMs", delayMs, 0, LIMITS.maxDelayMs, 0);

/** receiveBatch's `max`: required, 1–1000. */
export const checkMax = (max: unknown): number => checkInt("max", max, 1, LIMITS.maxBatch);

/** wait's and request's timeoutMs; undefined stays undefined (the default, LIMITS.replyTimeoutMs). */
export const checkReplyTimeoutMs = (timeoutMs: unknown): number | undefined =>
  timeoutMs === undefined ? undefined : checkInt("timeoutMs", timeoutMs, 0, LIMITS.maxWaitMs);

/** sendBatch's bodies: an array of at most 1000 (each body is checked when it is sent). */
export function checkBodies(bodies: unknown): asserts bodies is unknown[] {
  if (!Array.isArray(bodies) || bodies.length > LIMITS.maxBatch) {
    throw new TinyQSError("BAD_ARGUMENT", `sendBatch takes an array of at most ${LIMITS.maxBatch} bodies`);
  }
}

/** A receipt or an id: a non-empty string of at most 256 characters; else BAD_ARGUMENT with `message`. */
function checkRef(ref: unknown, message: string): string {
  if (typeof ref !== "string" || ref.length === 0 || ref.length > 256) throw new TinyQSError("BAD_ARGUMENT", message);
  return ref;
}

/** touch, release, respond. */
export const checkReceipt = (receipt: unknown): string => checkRef(receipt, "a receipt is a non-empty string");

/** delete: an id or a receipt. */
export const checkIdOrReceipt = (idOrReceipt: unknown): string => checkRef(idOrReceipt, "delete takes an id or a receipt");

/**
 * configure()'s changes, checked field by field (undefined values dropped). Whether the result
 * leaves a valid queue (a default dead-letter name too long once maxReceives > 0) depends on the
 * current settings, so the engine checks that after merging.
 */
export function checkConfigChanges(queue: string, changes: unknown): Partial<QueueConfig> {
  if (typeof changes !== "object" || changes === null) throw new TinyQSError("BAD_ARGUMENT", "configure takes an object");
  const out: Record<string, number | string> = {};
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    const setting = CONFIG_SETTINGS.find((c) => c.name === field);
    if (!setting) {
      throw new TinyQSError("BAD_ARGUMENT", `unknown setting ${JSON.stringify(field)}; settings are ${CONFIG_FIELDS.join(", ")}`);
    }
    if ("min" in setting) out[field] = checkInt(field, value, setting.min, setting.max);
    else if (checkQueueName(value, "dead-letter queue") === queue) {
      throw new TinyQSError("BAD_ARGUMENT", "a queue cannot be its own dead-letter queue");
    } else out[field] = value as string;
  }
  return out as Partial<QueueConfig>;
}
