// Request/response over HTTP. A caller POSTs a request and gets the reply in the same HTTP exchange;
// a responder takes requests with the ordinary receive (GET …/messages) and answers one with
// POST …/messages/:receipt/respond; a caller whose wait ended (504) collects the reply later with
// GET /v1/replies/:handle. Replies are raw bytes, like received messages.
//
// A reply wait needs no "unwritten" hand-back (whileConnected): the engine itself puts back a reply it
// collected for a signal that aborted at that instant, and announces it again. A reply written to
// the connection counts as delivered, even if the client dies before reading it.
import { Router, type Request, type Response } from "express";
import { TinyQSError } from "@tinyqs/core";
import { readBody } from "../body.js";
import type { Context } from "../context.js";
import { intQuery, replyTimeout } from "../params.js";
import { whileConnected } from "./while-connected.js";

/** The response header that names where a request's reply is: `<queue>:<id>`, what put() returns. */
const REPLY_HANDLE_HEADER = "tinyqs-reply-handle";

type QueueReq = Request<{ queue: string }>;
type ReceiptReq = Request<{ queue: string; receipt: string }>;
type HandleReq = Request<{ handle: string }>;

export function requestRoutes(ctx: Context): Router {
  const { api, limits } = ctx;
  const r = Router();

  // put + wait rather than api.request: on a timeout the caller must still learn the handle.
  r.post("/v1/queues/:queue/requests", async (req: QueueReq, res) => {
    const timeoutMs = replyTimeout(intQuery(req, ["timeoutMs"]).timeoutMs, limits.maxWaitMs);
    const body = await readBody(req, res, limits.maxMessageBytes);
    const handle = await api.put(req.params.queue, body);
    res.set(REPLY_HANDLE_HEADER, handle);
    // The client may have left while the request was being stored: then this wait ends at once,
    // and the reply stays for GET /v1/replies/:handle.
    const reply = await whileConnected(ctx, req, res, (signal) => api.wait(handle, { timeoutMs, signal }));
    if (reply === undefined) return;
    if (reply) return sendReply(res, reply);
    const later = `collect it with GET /v1/replies/${encodeURIComponent(handle)}`;
    throw new TinyQSError(
      "TIMEOUT",
      ctx.isClosing ? `the server is shutting down before a reply to ${handle} came; ${later}` : `no reply to ${handle} within ${timeoutMs} ms; ${later}`,
    );
  });

  // Only the current reservation may respond: a lease that ran out, a second respond or an unknown
  // receipt stores nothing (404), so a request gets exactly one reply.
  r.post("/v1/queues/:queue/messages/:receipt/respond", async (req: ReceiptReq, res) => {
    intQuery(req, []);
    const body = await readBody(req, res, limits.maxMessageBytes);
    if (!(await api.respond(req.params.queue, req.params.receipt, body))) throw new TinyQSError("NOT_FOUND");
    res.status(204).end();
  });

  // The handle contains ':', URL-encoded or not; express hands it over decoded.
  r.get("/v1/replies/:handle", async (req: HandleReq, res) => {
    const timeoutMs = replyTimeout(intQuery(req, ["timeoutMs"]).timeoutMs, limits.maxWaitMs);
    const reply = await whileConnected(ctx, req, res, (signal) => api.wait(req.params.handle, { timeoutMs, signal }));
    if (reply === undefined) return;
    if (reply) sendReply(res, reply);
    else res.status(204).end();
  });

  return r;
}

function sendReply(res: Response, reply: Buffer): void {
  res.status(200).set({ "Content-Type": "application/octet-stream", "Cache-Control": "no-store" }).send(reply);
}
