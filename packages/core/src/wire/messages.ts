// A message on HTTP and WebSocket: as JSON (a REST batch, a pushed `message` frame: the body in
// base64) and as a raw HTTP answer (the body as is, the rest in `tinyqs-*` headers). The servers
// write these shapes, the client reads them back, from here.
import { TinyQSError } from "../errors.js";
import type { Message } from "../types.js";

/** The headers of a raw message (and of a request's answer). */
export const HEADERS = {
  id: "tinyqs-id",
  /** Absent for a peek. */
  receipt: "tinyqs-receipt",
  receiveCount: "tinyqs-receive-count",
  sentAt: "tinyqs-sent-at",
  /** POST …/requests: where the reply is, `<queue>:<id>`, so a caller whose wait ended can collect it. */
  replyHandle: "tinyqs-reply-handle",
  /** POST …/messages (a request header): the send's dedupId (idempotent send). */
  dedupId: "tinyqs-dedup-id",
} as const;

/** A message's headers, in the order the server writes them (the receipt last, absent for a peek). */
export function messageHeaders(m: Message): Record<string, string> {
  const h: Record<string, string> = {
    [HEADERS.id]: m.id,
    [HEADERS.receiveCount]: String(m.receiveCount),
    [HEADERS.sentAt]: String(m.sentAt),
  };
  if (m.receipt) h[HEADERS.receipt] = m.receipt;
  return h;
}

/** A raw message read back: `header` looks a header up (null when absent), `body` is the answer's bytes. */
export function messageFromHeaders(queue: string, header: (name: string) => string | null, body: Buffer): Message {
  return {
    queue,
    id: header(HEADERS.id) ?? "",
    receipt: header(HEADERS.receipt) || null,
    body,
    receiveCount: Number(header(HEADERS.receiveCount) ?? 0),
    sentAt: Number(header(HEADERS.sentAt) ?? 0),
  };
}

/** A message in JSON (its queue is the route's, or the frame's own field). */
export interface MessageJson {
  id: string;
  receipt: string | null;
  /** base64 */
  body: string;
  receiveCount: number;
  sentAt: number;
}

export function messageToJson(m: Message): MessageJson {
  return { id: m.id, receipt: m.receipt, body: m.body.toString("base64"), receiveCount: m.receiveCount, sentAt: m.sentAt };
}

export function messageFromJson(queue: string, json: unknown): Message {
  const m = json as Partial<Record<keyof MessageJson, unknown>>;
  return {
    queue,
    id: String(m.id),
    receipt: typeof m.receipt === "string" ? m.receipt : null,
    body: Buffer.from(String(m.body ?? ""), "base64"),
    receiveCount: Number(m.receiveCount),
    sentAt: Number(m.sentAt),
  };
}

/** A body to send inside JSON (a REST batch item, a `send` frame): base64, said so. */
export function bodyToJson(body: Buffer): { body: string; encoding: "base64" } {
  return { body: body.toString("base64"), encoding: "base64" };
}

// Standard or URL-safe alphabet, padding optional; Buffer.from(…, "base64") alone would silently
// skip any other character and store something the sender did not mean.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** A body sent inside JSON: a string in `encoding` "utf8" or "base64"; `where` names it in the error. */
export function bodyFromJson(body: unknown, encoding: unknown, where: string): Buffer {
  if (typeof body !== "string") throw new TinyQSError("BAD_ARGUMENT", `${where}.body must be a string`);
  if (encoding === "utf8") return Buffer.from(body, "utf8");
  if (encoding === "base64") {
    if (!BASE64.test(body) || body.replace(/=+$/, "").length % 4 === 1) {
      throw new TinyQSError("BAD_ARGUMENT", `${where}.body is not valid base64`);
    }
    return Buffer.from(body, "base64");
  }
  throw new TinyQSError("BAD_ARGUMENT", `${where}.encoding must be "utf8" or "base64", got ${JSON.stringify(encoding)}`);
}
