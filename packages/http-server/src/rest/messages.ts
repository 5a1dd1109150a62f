// The message routes: send (raw or batch), receive, peek, browse, and acting on a delivery (delete, touch,
// release, and the batch delete and touch). A single received message is the raw body with its metadata in `tinyqs-*` headers, so a
// shell script needs nothing but curl; everything with several messages is JSON, bodies in base64.
import { Router, type Response } from "express";
import { LIMITS, TinyQSError, checkDedupId, type BrowseState, type Message } from "@tinyqs/core";
import { HEADERS, ROUTES, bodyFromJson, browsedToJson, itemResults, messageHeaders, messageToJson, receiptsFromJson } from "@tinyqs/core/wire";
import { readBody, readJson } from "../body.js";
import type { Context } from "../context.js";
import { checkWait } from "../params.js";
import { on } from "./route.js";
import { whileConnected } from "./while-connected.js";

export function messageRoutes(ctx: Context): Router {
  const { api, limits } = ctx;
  const r = Router();

  // The request body is the message, whatever its Content-Type; it is stored byte for byte.
  on(r, ROUTES.send, async (req, res, { delayMs }) => {
    const dedupId = checkDedupId(req.get(HEADERS.dedupId)); // checked before the body is read: a bad one reads nothing
    const body = await readBody(req, res, limits.maxMessageBytes, limits.bodies);
    const id = await api.send(req.params.queue, body, { delayMs, dedupId });
    res.status(201).json({ id });
  });

  on(r, ROUTES.sendBatch, async (req, res) => {
    const items = parseBatch(await readJson(req, res, limits.maxJsonBytes, limits.bodies), limits.maxMessageBytes);
    res.status(201).json({ ids: await sendGrouped(ctx, req.params.queue, items) });
  });

  on(r, ROUTES.receive, async (req, res, q) => {
    const waitMs = checkWait(q.waitMs, limits.maxWaitMs);
    const messages = await whileConnected(
      ctx,
      req,
      res,
      (signal) =>
        q.max === undefined
          ? api.receive(req.params.queue, { waitMs, visibilityMs: q.visibilityMs, signal }).then((m) => (m ? [m] : []))
          : api.receiveBatch(req.params.queue, { max: q.max, waitMs, visibilityMs: q.visibilityMs, signal }),
      { unwritten: (got) => putBack(ctx, got) },
    );
    if (messages === undefined) return;
    if (q.max !== undefined) res.json({ messages: messages.map(messageToJson) });
    else if (messages[0]) sendRaw(res, messages[0]);
    else res.status(204).end();
  });

  on(r, ROUTES.peek, async (req, res, { waitMs }) => {
    checkWait(waitMs, limits.maxWaitMs);
    const messages = await whileConnected(ctx, req, res, (signal) =>
      api.peek(req.params.queue, { waitMs, signal }).then((m) => (m ? [m] : [])),
    );
    if (messages === undefined) return;
    if (messages[0]) sendRaw(res, messages[0]);
    else res.status(204).end();
  });

  // Read only: nothing reserved, nothing changed. The state is the engine's to check (BAD_ARGUMENT).
  on(r, ROUTES.browse, async (req, res, { offset, limit, bodyBytes }) => {
    const messages = await api.browse(req.params.queue, { state: req.params.state as BrowseState, offset, limit, bodyBytes });
    res.set("Cache-Control", "no-store").json({ messages: messages.map(browsedToJson) });
  });

  // By receipt: only while that delivery is current. By id: the message, whatever its state.
  on(r, ROUTES.delete, async (req, res) => {
    found(await api.delete(req.params.queue, req.params.idOrReceipt));
    res.status(204).end();
  });

  on(r, ROUTES.touch, async (req, res, { visibilityMs }) => {
    found(await api.touch(req.params.queue, req.params.receipt, { visibilityMs }));
    res.status(204).end();
  });

  on(r, ROUTES.release, async (req, res, { delayMs }) => {
    found(await api.release(req.params.queue, req.params.receipt, { delayMs }));
    res.status(204).end();
  });

  // Batch acknowledgements: 200 with one result per item, whatever each item's fate.
  on(r, ROUTES.deleteBatch, async (req, res) => {
    const receipts = receiptsFromJson(await readJson(req, res, limits.maxJsonBytes, limits.bodies), "a batch delete");
    res.json({ results: itemResults(receipts, await api.deleteBatch(req.params.queue, receipts as string[])) });
  });

  on(r, ROUTES.touchBatch, async (req, res, { visibilityMs }) => {
    const receipts = receiptsFromJson(await readJson(req, res, limits.maxJsonBytes, limits.bodies), "a batch touch");
    res.json({ results: itemResults(receipts, await api.touchBatch(req.params.queue, receipts as string[], { visibilityMs })) });
  });

  return r;
}

/** false from delete/touch/release: unknown id, or a receipt whose delivery is over. */
function found(ok: boolean): void {
  if (!ok) throw new TinyQSError("NOT_FOUND");
}

/**
 * A receive or peek whose result a client never got (it left before the wait ended or before the
 * answer was flushed) is not a delivery: each reserved message goes back to ready, and its receive
 * count is taken back too. A peek reserved nothing (no receipt).
 */
function putBack(ctx: Context, messages: Message[]): Promise<unknown> {
  return Promise.all(messages.map((m) => m.receipt && ctx.api.release(m.queue, m.receipt, { undeliver: true }).catch(() => false)));
}

function sendRaw(res: Response, m: Message): void {
  res.status(200).set({ "Content-Type": "application/octet-stream", "Cache-Control": "no-store", ...messageHeaders(m) });
  res.send(m.body);
}

interface BatchItem {
  body: Buffer;
  delayMs: number | undefined;
  dedupId: string | undefined;
}

/** `{ "messages": [ { "body", "encoding"?: "utf8" | "base64", "delayMs"?, "dedupId"? } ] }` */
function parseBatch(json: unknown, maxMessageBytes: number): BatchItem[] {
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
    const bytes = bodyFromJson(body, encoding ?? "utf8", `messages[${i}]`);
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
 * first whenever there is more than one group.
 */
async function sendGrouped(ctx: Context, queue: string, items: BatchItem[]): Promise<string[]> {
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
