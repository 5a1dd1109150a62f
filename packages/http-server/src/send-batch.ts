// A batch of sends as REST's `POST …/messages/batch` and the WebSocket's `sendBatch` frame carry it:
// `{ "messages": [ { "body", "encoding"?, "delayMs"?, "dedupId"? } ] }`, at most LIMITS.maxBatch
// items, checked whole before anything is stored (one bad item refuses the batch: a send batch is
// all or nothing, as the engine's sendBatch is). The two differ only in the default encoding of a
// body (REST: utf8, the WebSocket: base64, as its `send` frame), so both call these two functions.
import { LIMITS, TinyQSError, checkDedupId } from "@tinyqs/core";
import { bodyFromJson } from "@tinyqs/core/wire";
import type { Context } from "./context.js";

export interface BatchItem {
  body: Buffer;
  delayMs: number | undefined;
  dedupId: string | undefined;
}

/** `{ "messages": [ { "body", "encoding"?: "utf8" | "base64", "delayMs"?, "dedupId"? } ] }` */
export function parseBatch(json: unknown, maxMessageBytes: number, defaultEncoding: "utf8" | "base64"): BatchItem[] {
  const messages = (json as { messages?: unknown } | null)?.messages;
  if (typeof json !== "object" || json === null || Array.isArray(json) || !Array.isArray(messages)) {
    throw new TinyQSError("BAD_ARGUMENT", 'a batch is { "messages": [ { "body", "encoding"?, "delayMs"?, "dedupId"? } ] }');
  }
  if (messages.length > LIMITS.maxBatch) {
    throw new TinyQSError("BAD_ARGUMENT", `a batch holds at most ${LIMITS.maxBatch} messages, got ${messages.length}`);
  }
  return messages.map((item: unknown, i) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) throw new TinyQSError("BAD_ARGUMENT", `messages[${i}] must be an object`);
    const { body, encoding, delayMs, dedupId, ...rest } = item as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length) throw new TinyQSError("BAD_ARGUMENT", `messages[${i}] has unknown field ${JSON.stringify(extra[0])}`);
    if (delayMs !== undefined && typeof delayMs !== "number") throw new TinyQSError("BAD_ARGUMENT", `messages[${i}].delayMs must be an integer`);
    const bytes = bodyFromJson(body, encoding ?? defaultEncoding, `messages[${i}]`);
    if (bytes.length > maxMessageBytes) {
      throw new TinyQSError("TOO_BIG", `messages[${i}] is ${bytes.length} bytes; this server accepts at most ${maxMessageBytes}`);
    }
    return { body: bytes, delayMs, dedupId: checkDedupIdOf(dedupId, i) };
  });
}

/** A batch item's dedupId, its error naming the item. */
function checkDedupIdOf(dedupId: unknown, i: number): string | undefined {
  try {
    return checkDedupId(dedupId);
  } catch (e) {
    throw new TinyQSError("BAD_ARGUMENT", `messages[${i}].${(e as Error).message.replace(/^a /, "")}`);
  }
}

/**
 * The engine takes one delay per sendBatch. Messages with different delays are sent as one batch per
 * delay, issued in the same tick (the engine merges them into one Redis script call). So that one
 * group cannot fail on size after another was stored, sizes are checked against the queue's limit
 * first whenever there is more than one group. The ids come back in the items' order.
 */
export async function sendGrouped(ctx: Context, queue: string, items: BatchItem[]): Promise<string[]> {
  const groups = new Map<number | undefined, number[]>();
  items.forEach((item, i) => {
    const g = groups.get(item.delayMs);
    if (g) g.push(i);
    else groups.set(item.delayMs, [i]);
  });
  if (groups.size > 1) {
    const { maxMessageBytes } = await ctx.api.getConfig(queue);
    const i = items.findIndex((m) => m.body.length > maxMessageBytes);
    if (i >= 0) throw new TinyQSError("TOO_BIG", `messages[${i}] is ${items[i]!.body.length} bytes; queue ${queue} accepts at most ${maxMessageBytes}`);
  }
  const ids: string[] = new Array<string>(items.length);
  await Promise.all(
    [...groups].map(async ([delayMs, indexes]) => {
      const dedupIds = indexes.some((i) => items[i]!.dedupId !== undefined) ? indexes.map((i) => items[i]!.dedupId) : undefined;
      const got = await ctx.api.sendBatch(queue, indexes.map((i) => items[i]!.body), { delayMs, dedupIds });
      indexes.forEach((index, k) => (ids[index] = got[k]!));
    }),
  );
  return ids;
}
