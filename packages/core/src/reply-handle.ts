// A reply handle names where a request's reply will be: `<queue>:<request id>`. Queue names cannot
// contain ':', so the first ':' splits it; the id is the request's message id, `<ms>-<sequence>`.
// Also the TIMEOUT errors of request(), worded once for the engine and the clients.
import { TinyQSError } from "./errors.js";
import { QUEUE_NAME } from "./arguments.js";

const MESSAGE_ID = /^\d{1,16}-\d{1,16}$/;

export function replyHandle(queue: string, id: string): string {
  return `${queue}:${id}`;
}

export function parseReplyHandle(handle: unknown): { queue: string; id: string } {
  const at = typeof handle === "string" ? handle.indexOf(":") : -1;
  const queue = at > 0 ? (handle as string).slice(0, at) : "";
  const id = at > 0 ? (handle as string).slice(at + 1) : "";
  if (!QUEUE_NAME.test(queue) || !MESSAGE_ID.test(id)) {
    throw new TinyQSError("BAD_ARGUMENT", `bad reply handle ${JSON.stringify(handle)}: a handle is "<queue>:<id>", as PUT / put() returns it`);
  }
  return { queue, id };
}

/** request() found no reply in time. `what` names the handle when known, so the reply can still be collected. */
export function replyTimedOut(what: string, timeoutMs: number): TinyQSError {
  return new TinyQSError("TIMEOUT", `no reply to ${what} within ${timeoutMs} ms`);
}

/** request() whose signal had aborted before anything was sent: TIMEOUT, and nothing is sent. */
export function requestAbandoned(queue: string): TinyQSError {
  return new TinyQSError("TIMEOUT", `the request to ${queue} was abandoned (signal aborted) before it was sent`);
}
