// The WebSocket frames of /v1/ws (docs/websocket.md is the specification), as JSON: what a client
// sends (each request with a `requestId` its reply echoes) and what the server sends back (replies,
// pushed messages, error frames). The server checks requests against these shapes
// (http-server/src/ws/protocol.ts); the client (client/src/ws-connection.ts) reads the server's frames.
import type { TinyQSError } from "../errors.js";
import type { Message } from "../types.js";
import { errorToJson, type ErrorJson } from "./errors.js";
import { messageFromJson, messageToJson, type MessageJson } from "./messages.js";

export type RequestId = string | number;

/** The requests, without their requestId. A `send` body is base64 unless `encoding` says "utf8". */
export type RequestFrame =
  | { op: "subscribe"; queue: string; prefetch: number; visibilityMs?: number }
  | { op: "unsubscribe"; queue: string }
  | { op: "send"; queue: string; body: string; encoding?: "base64" | "utf8"; delayMs?: number; dedupId?: string }
  | { op: "sendBatch"; queue: string; messages: Array<{ body: string; encoding?: "base64" | "utf8"; delayMs?: number; dedupId?: string }> }
  | { op: "delete"; queue: string; receipt: string }
  | { op: "touch"; queue: string; receipt: string; visibilityMs?: number }
  | { op: "release"; queue: string; receipt: string; delayMs?: number }
  | { op: "deleteBatch"; queue: string; receipts: string[] }
  | { op: "touchBatch"; queue: string; receipts: string[]; visibilityMs?: number };

export type Op = RequestFrame["op"];

/** The fields each op takes besides `op` and `requestId` (the server refuses any other). */
export const OP_FIELDS = {
  subscribe: ["queue", "prefetch", "visibilityMs"],
  unsubscribe: ["queue"],
  send: ["queue", "body", "encoding", "delayMs", "dedupId"],
  sendBatch: ["queue", "messages"],
  delete: ["queue", "receipt"],
  touch: ["queue", "receipt", "visibilityMs"],
  release: ["queue", "receipt", "delayMs"],
  deleteBatch: ["queue", "receipts"],
  touchBatch: ["queue", "receipts", "visibilityMs"],
} as const satisfies { [O in Op]: ReadonlyArray<Exclude<keyof Extract<RequestFrame, { op: O }>, "op">> };

// ---- frames the server sends --------------------------------------------------------------------

export type MessageFrame = { op: "message"; queue: string } & MessageJson;

export function messageFrame(m: Message): MessageFrame {
  return { op: "message", queue: m.queue, ...messageToJson(m) };
}

export function messageFromFrame(frame: Record<string, unknown>): Message {
  return messageFromJson(String(frame.queue), frame);
}

/** A request done: its result fields beside `ok` (a subscribe's `visibilityMs`, a send's `id`, …). */
export function replyFrame(requestId: RequestId, result: Record<string, unknown> = {}) {
  return { op: "reply" as const, requestId, ok: true as const, ...result };
}

/** A request refused or failed: the error envelope, with the code of core's table. */
export function failureFrame(requestId: RequestId, err: TinyQSError) {
  return { op: "reply" as const, requestId, ok: false as const, ...errorToJson(err) };
}

/** For frames without a usable requestId, and for a subscription that cannot receive (with its queue). */
export function errorFrame(err: TinyQSError, extra: { requestId?: RequestId | null; queue?: string } = {}): { op: "error" } & ErrorJson {
  return { op: "error" as const, ...extra, ...errorToJson(err) };
}
