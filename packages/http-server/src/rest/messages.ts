// The message routes: send (raw or batch), receive, peek, browse, and acting on a delivery (delete, touch,
// release, and the batch delete and touch). A single received message is the raw body with its metadata in `tinyqs-*` headers, so a
// shell script needs nothing but curl; everything with several messages is JSON, bodies in base64.
import { Router, type Response } from "express";
import { TinyQSError, checkDedupId, type BrowseState, type Message } from "@tinyqs/core";
import { HEADERS, ROUTES, browsedToJson, itemResults, messageHeaders, messageToJson, receiptsFromJson } from "@tinyqs/core/wire";
import { readBody, readJson } from "../body.js";
import type { Context } from "../context.js";
import { checkWait } from "../params.js";
import { on } from "./route.js";
import { parseBatch, sendGrouped } from "../send-batch.js";
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
    const items = parseBatch(await readJson(req, res, limits.maxJsonBytes, limits.bodies), limits.maxMessageBytes, "utf8");
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
