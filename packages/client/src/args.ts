// The engine's argument checks, run by both transports before anything is sent: a bad argument is
// then the engine's TinyQSError (same code, same message) whatever the transport, instead of
// whatever a server or fetch makes of it (a string "10" that RESP sends as a number, a waitMs of 1.5
// that AbortSignal.timeout refuses with a RangeError, a receiveBatch without `max` that a server
// reads as a single receive). The ranges are core's LIMITS; a server may refuse more (the HTTP
// server's --max-wait-ms), never less.
import { checkMax, checkVisibilityMs, checkWaitMs, type ReceiveBatchOptions, type ReceiveOptions } from "@tinyqs/core";

export {
  checkBodies,
  checkConfigChanges as configArgs,
  checkRedriveOptions as redriveArgs,
  checkDelayMs as delayArg,
  checkIdOrReceipt,
  checkReceipt,
  checkRefs,
  checkVisibilityMs as visibilityArg,
  checkWaitMs as waitArg,
} from "@tinyqs/core";

export interface ReceiveArgs {
  /** Undefined for a single receive. */
  max: number | undefined;
  waitMs: number;
  visibilityMs: number | undefined;
}

export function receiveArgs(options: ReceiveOptions | undefined): ReceiveArgs {
  return { max: undefined, visibilityMs: checkVisibilityMs(options?.visibilityMs), waitMs: checkWaitMs(options?.waitMs) };
}

/** receiveBatch: `max` is required (1–1000), as in the engine. */
export function receiveBatchArgs(options: ReceiveBatchOptions | undefined): ReceiveArgs {
  return { ...receiveArgs(options), max: checkMax(options?.max) };
}
