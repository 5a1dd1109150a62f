// Turning a text frame from a client into a checked request (the frames' shapes, and the frames the
// server sends, are @tinyqs/core/wire's: docs/websocket.md is their specification). Every request
// carries a `requestId` that its reply echoes; a frame that cannot be tied to a request gets an
// `error` frame instead.
//
// The frame's own part is the shape: JSON, an op, its fields and nothing else, a number where a
// number goes. What a number may be, and what a queue name or a receipt is, are core's checks
// (arguments.ts), run here before anything starts so a bad subscribe is refused in its reply; the
// prefetch ceiling is the server's own.
import { OPTION_RANGES, TinyQSError, checkDedupId, checkIdOrReceipt, checkInt, checkQueueName } from "@tinyqs/core";
import { OP_FIELDS, bodyFromJson, receiptsFromJson, type Op, type RequestFrame, type RequestId } from "@tinyqs/core/wire";
import { parseBatch, type BatchItem } from "../send-batch.js";

export type { RequestId } from "@tinyqs/core/wire";

/** A frame with its bodies decoded: a send's Buffer in place of the frame's text and its `encoding`;
 * a sendBatch's items checked (sizes against the server's limit come later, in the session). */
type Decoded<F> = F extends { op: "send" }
  ? Omit<F, "body" | "encoding"> & { body: Buffer }
  : F extends { op: "sendBatch" }
    ? Omit<F, "messages"> & { messages: BatchItem[] }
    : F;

/** A checked request: core's RequestFrame of its op, decoded, with the requestId its reply echoes. */
export type Request = Decoded<RequestFrame> & { requestId: RequestId };

/** A frame the server could not tie to a request: its `requestId` when it had a usable one. */
export class FrameError extends Error {
  constructor(
    readonly error: TinyQSError,
    readonly requestId: RequestId | null,
  ) {
    super(error.message);
  }
}

type Range = { readonly min: number; readonly max: number };

/**
 * A number field in `range`, in checkInt's words, with the same range for the message and the check.
 * What is not a JSON number is named as the frame wrote it (`got "10"`, `got null`; a 1e400 that
 * JSON.parse made Infinity also says `got null`), where checkInt's String() would say `got 10`.
 */
function numberField(name: string, value: unknown, { min, max }: Range): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TinyQSError("BAD_ARGUMENT", `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return checkInt(name, value, min, max);
}

/** An optional number field: absent stays absent (the engine's default applies). */
const optional = (name: keyof typeof OPTION_RANGES, value: unknown): number | undefined =>
  value === undefined ? undefined : numberField(name, value, OPTION_RANGES[name]);

/** A receipt (or, for delete, an id): core's rule, in the words of this protocol. */
function receiptOf(value: unknown): string {
  try {
    return checkIdOrReceipt(value);
  } catch {
    throw new TinyQSError("BAD_ARGUMENT", "receipt must be a non-empty string (a receipt, or for delete also an id)");
  }
}

/** The frame as an object with a usable requestId, or FrameError without one. */
function envelope(text: string): Record<string, unknown> & { requestId: RequestId } {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch (e) {
    throw new FrameError(new TinyQSError("BAD_ARGUMENT", `a frame must be JSON: ${(e as Error).message}`), null);
  }
  if (typeof frame !== "object" || frame === null || Array.isArray(frame)) {
    throw new FrameError(new TinyQSError("BAD_ARGUMENT", "a frame must be a JSON object"), null);
  }
  const f = frame as Record<string, unknown>;
  const requestId = f.requestId;
  if ((typeof requestId !== "string" || requestId.length > 256) && (typeof requestId !== "number" || !Number.isFinite(requestId))) {
    throw new FrameError(new TinyQSError("BAD_ARGUMENT", "every request needs a requestId (a string or a number)"), null);
  }
  return f as Record<string, unknown> & { requestId: RequestId };
}

/** The op of a frame, checked to take exactly the fields it has. */
function opOf(f: Record<string, unknown>): Op {
  const op = f.op;
  if (typeof op !== "string" || !Object.hasOwn(OP_FIELDS, op)) {
    throw new TinyQSError("BAD_ARGUMENT", `unknown op ${JSON.stringify(op)}; ops are ${Object.keys(OP_FIELDS).join(", ")}`);
  }
  const fields: readonly string[] = OP_FIELDS[op as Op];
  for (const key of Object.keys(f)) {
    if (key !== "op" && key !== "requestId" && !fields.includes(key)) throw new TinyQSError("BAD_ARGUMENT", `${op} takes no field ${JSON.stringify(key)}`);
  }
  return op as Op;
}

/** Parse one text frame; throws FrameError. `maxPrefetch` is the server's ceiling for subscriptions. */
export function parseRequest(text: string, maxPrefetch: number): Request {
  const f = envelope(text);
  const { requestId } = f;
  try {
    const op = opOf(f);
    const queue = checkQueueName(f.queue);
    switch (op) {
      case "subscribe":
        return {
          op, requestId, queue,
          prefetch: numberField("prefetch", f.prefetch, { min: 1, max: maxPrefetch }),
          visibilityMs: optional("visibilityMs", f.visibilityMs),
        };
      case "unsubscribe":
        return { op, requestId, queue };
      case "send":
        return {
          op, requestId, queue,
          body: bodyFromJson(f.body, f.encoding ?? "base64", "send"), delayMs: optional("delayMs", f.delayMs), dedupId: checkDedupId(f.dedupId),
        };
      // The items as REST's batch route takes them, bodies base64 unless an item says utf8, as in send.
      case "sendBatch":
        return { op, requestId, queue, messages: parseBatch({ messages: f.messages }, Infinity, "base64") };
      case "delete":
        return { op, requestId, queue, receipt: receiptOf(f.receipt) };
      case "touch":
        return { op, requestId, queue, receipt: receiptOf(f.receipt), visibilityMs: optional("visibilityMs", f.visibilityMs) };
      case "release":
        return { op, requestId, queue, receipt: receiptOf(f.receipt), delayMs: optional("delayMs", f.delayMs) };
      // The list is checked (an array of at most 1000); each item is judged alone, in its result.
      case "deleteBatch":
        return { op, requestId, queue, receipts: receiptsFromJson({ receipts: f.receipts }, op) as string[] };
      case "touchBatch":
        return { op, requestId, queue, receipts: receiptsFromJson({ receipts: f.receipts }, op) as string[], visibilityMs: optional("visibilityMs", f.visibilityMs) };
    }
  } catch (e) {
    throw new FrameError(e instanceof TinyQSError ? e : new TinyQSError("BAD_ARGUMENT", String(e)), requestId);
  }
}
