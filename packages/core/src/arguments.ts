// The argument checks that are not a plain number range (those are checkInt in limits.ts): receipts,
// ids, and configure's changes. The engine runs them, and so do the clients before they send, so
// that a bad argument is the same TinyQSError (code and message) whichever way it arrives.
import { TinyQSError } from "./errors.js";
import { LIMITS, checkInt, checkQueueName } from "./limits.js";
import type { QueueConfig } from "./types.js";

/** The settings configure() takes, in the order its error message lists them. */
export const CONFIG_FIELDS = ["visibilityMs", "maxReceives", "deadLetterQueue", "maxMessageBytes", "replyTtlMs"] as const;

/** touch, release, respond: a receipt is a non-empty string of at most 256 characters. */
export function checkReceipt(receipt: unknown): string {
  if (typeof receipt !== "string" || receipt.length === 0 || receipt.length > 256) {
    throw new TinyQSError("BAD_ARGUMENT", "a receipt is a non-empty string");
  }
  return receipt;
}

/** delete: an id or a receipt, the same shape. */
export function checkIdOrReceipt(idOrReceipt: unknown): string {
  if (typeof idOrReceipt !== "string" || idOrReceipt.length === 0 || idOrReceipt.length > 256) {
    throw new TinyQSError("BAD_ARGUMENT", "delete takes an id or a receipt");
  }
  return idOrReceipt;
}

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
    switch (field) {
      case "visibilityMs":
        out[field] = checkInt(field, value, 1, LIMITS.maxVisibilityMs);
        break;
      case "maxReceives":
        out[field] = checkInt(field, value, 0, LIMITS.maxReceives);
        break;
      case "maxMessageBytes":
        out[field] = checkInt(field, value, 1, LIMITS.maxMessageBytesCeiling);
        break;
      case "replyTtlMs":
        out[field] = checkInt(field, value, 1, LIMITS.maxReplyTtlMs);
        break;
      case "deadLetterQueue":
        if (checkQueueName(value, "dead-letter queue") === queue) {
          throw new TinyQSError("BAD_ARGUMENT", "a queue cannot be its own dead-letter queue");
        }
        out[field] = value as string;
        break;
      default:
        throw new TinyQSError("BAD_ARGUMENT", `unknown setting ${JSON.stringify(field)}; settings are ${CONFIG_FIELDS.join(", ")}`);
    }
  }
  return out as Partial<QueueConfig>;
}
