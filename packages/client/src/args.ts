// The engine's argument checks, run by both transports before anything is sent: a bad argument is
// then the engine's TinyQSError (same code, same message) whatever the transport, instead of
// whatever a server or fetch makes of it (a string "10" that RESP sends as a number, a waitMs of 1.5
// that AbortSignal.timeout refuses with a RangeError, a receiveBatch without `max` that a server
// reads as a single receive). The ranges are core's LIMITS; a server may refuse more (the HTTP
// server's --max-wait-ms), never less.
import { LIMITS, TinyQSError, checkInt, type ReceiveBatchOptions, type ReceiveOptions } from "@tinyqs/core";

// Receipts, ids and configure's changes: core's own checks.
export { checkConfigChanges as configArgs, checkIdOrReceipt, checkReceipt } from "@tinyqs/core";

/** A long poll's waitMs (0 when not given: answer at once). */
export function waitArg(waitMs: unknown): number {
  return checkInt("waitMs", waitMs, 0, LIMITS.maxWaitMs, 0);
}

/** A reservation length; undefined stays undefined (the queue's setting applies). */
export function visibilityArg(visibilityMs: unknown): number | undefined {
  return visibilityMs === undefined ? undefined : checkInt("visibilityMs", visibilityMs, 1, LIMITS.maxVisibilityMs);
}

/** A send's or release's delayMs (0 when not given). */
export function delayArg(delayMs: unknown): number {
  return checkInt("delayMs", delayMs, 0, LIMITS.maxDelayMs, 0);
}

export interface ReceiveArgs {
  /** Undefined for a single receive. */
  max: number | undefined;
  waitMs: number;
  visibilityMs: number | undefined;
}

export function receiveArgs(options: ReceiveOptions | undefined): ReceiveArgs {
  return { max: undefined, visibilityMs: visibilityArg(options?.visibilityMs), waitMs: waitArg(options?.waitMs) };
}

/** receiveBatch: `max` is required (1–1000), as in the engine. */
export function receiveBatchArgs(options: ReceiveBatchOptions | undefined): ReceiveArgs {
  const max = checkInt("max", options?.max, 1, LIMITS.maxBatch);
  return { ...receiveArgs(options), max };
}

export function checkBodies(bodies: unknown): void {
  if (!Array.isArray(bodies) || bodies.length > LIMITS.maxBatch) {
    throw new TinyQSError("BAD_ARGUMENT", `sendBatch takes an array of at most ${LIMITS.maxBatch} bodies`);
  }
}
