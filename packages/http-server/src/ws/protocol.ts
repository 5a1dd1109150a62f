// The WebSocket frames (docs/websocket.md is the specification): their shapes, and turning a text
// frame from a client into a checked request. Every request carries a `requestId` that its reply
// echoes; a frame that cannot be tied to a request gets an `error` frame instead.
import { LIMITS, TinyQSError, checkQueueName, type Message } from "@tinyqs/core";
import { decodeBody } from "../bodies.js";

export type RequestId = string | number;

export type Request =
  | { op: "subscribe"; requestId: RequestId; queue: string; prefetch: number; visibilityMs?: number }
  | { op: "unsubscribe"; requestId: RequestId; queue: string }
  | { op: "send"; requestId: RequestId; queue: string; body: Buffer; delayMs?: number }
  | { op: "delete"; requestId: RequestId; queue: string; receipt: string }
  | { op: "touch"; requestId: RequestId; queue: string; receipt: string; visibilityMs?: number }
  | { op: "release"; requestId: RequestId; queue: string; receipt: string; delayMs?: number };

export type Op = Request["op"];

/** The fields each op takes besides `op` and `requestId` (anything else is refused). */
const FIELDS: Record<Op, readonly string[]> = {
  subscribe: ["queue", "prefetch", "visibilityMs"],
  unsubscribe: ["queue"],
  send: ["queue", "body", "encoding", "delayMs"],
  delete: ["queue", "receipt"],
  touch: ["queue", "receipt", "visibilityMs"],
  release: ["queue", "receipt", "delayMs"],
};

/** A frame the server could not tie to a request: its `requestId` when it had a usable one. */
export class FrameError extends Error {
  constructor(
    readonly error: TinyQSError,
    readonly requestId: RequestId | null,
  ) {
    super(error.message);
  }
}

function int(name: string, value: unknown, min: number, max: number, optional: boolean): number | undefined {
  if (value === undefined && optional) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new TinyQSError("BAD_ARGUMENT", `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function receiptOf(value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 256) {
    throw new TinyQSError("BAD_ARGUMENT", "receipt must be a non-empty string (a receipt, or for delete also an id)");
  }
  return value;
}

/** Parse one text frame; throws FrameError. `maxPrefetch` is the server's ceiling for subscriptions. */
export function parseRequest(text: string, maxPrefetch: number): Request {
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
  try {
    const op = f.op;
    if (typeof op !== "string" || !Object.hasOwn(FIELDS, op)) {
      throw new TinyQSError("BAD_ARGUMENT", `unknown op ${JSON.stringify(op)}; ops are ${Object.keys(FIELDS).join(", ")}`);
    }
    for (const key of Object.keys(f)) {
      if (key !== "op" && key !== "requestId" && !FIELDS[op as Op].includes(key)) {
        throw new TinyQSError("BAD_ARGUMENT", `${op} takes no field ${JSON.stringify(key)}`);
      }
    }
    const queue = checkQueueName(f.queue);
    switch (op as Op) {
      case "subscribe":
        return {
          op: "subscribe", requestId, queue,
          prefetch: int("prefetch", f.prefetch, 1, maxPrefetch, false)!,
          visibilityMs: int("visibilityMs", f.visibilityMs, 1, LIMITS.maxVisibilityMs, true),
        };
      case "unsubscribe":
        return { op: "unsubscribe", requestId, queue };
      case "send":
        return {
          op: "send", requestId, queue,
          body: decodeBody(f.body, f.encoding ?? "base64", "send"),
          delayMs: int("delayMs", f.delayMs, 0, LIMITS.maxDelayMs, true),
        };
      case "delete":
        return { op: "delete", requestId, queue, receipt: receiptOf(f.receipt) };
      case "touch":
        return {
          op: "touch", requestId, queue, receipt: receiptOf(f.receipt),
          visibilityMs: int("visibilityMs", f.visibilityMs, 1, LIMITS.maxVisibilityMs, true),
        };
      case "release":
        return {
          op: "release", requestId, queue, receipt: receiptOf(f.receipt),
          delayMs: int("delayMs", f.delayMs, 0, LIMITS.maxDelayMs, true),
        };
    }
  } catch (e) {
    throw new FrameError(e instanceof TinyQSError ? e : new TinyQSError("BAD_ARGUMENT", String(e)), requestId);
  }
  throw new FrameError(new TinyQSError("INTERNAL"), requestId); // unreachable: the switch covers every op
}

// ---- frames the server sends --------------------------------------------------------------------

export function messageFrame(m: Message) {
  return {
    op: "message" as const,
    queue: m.queue,
    id: m.id,
    receipt: m.receipt,
    body: m.body.toString("base64"),
    receiveCount: m.receiveCount,
    sentAt: m.sentAt,
  };
}

export function replyFrame(requestId: RequestId, result: Record<string, unknown> = {}) {
  return { op: "reply" as const, requestId, ok: true as const, ...result };
}

export function failureFrame(requestId: RequestId, err: TinyQSError) {
  return { op: "reply" as const, requestId, ok: false as const, error: { code: err.code, message: err.message } };
}

/** For frames without a usable requestId, and for a subscription that cannot receive (with its queue). */
export function errorFrame(err: TinyQSError, extra: { requestId?: RequestId | null; queue?: string } = {}) {
  return { op: "error" as const, ...extra, error: { code: err.code, message: err.message } };
}
