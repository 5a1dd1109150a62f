// Request/response over HTTP. A caller POSTs a request and gets the reply in the same HTTP exchange;
// a responder takes requests with the ordinary receive (GET …/messages) and answers one with
// POST …/messages/:receipt/respond; a caller whose wait ended (504) collects the reply later with
// GET /v1/replies/:handle. Replies are raw bytes, like received messages.
//
// A reply wait needs no "unwritten" hand-back (whileConnected): the engine itself puts back a reply it
// collected for a signal that aborted at that instant, and announces it again. A reply written to
// the connection counts as delivered, even if the client dies before reading it.
import { Router, type Response } from "express";
import { TinyQSError } from "@tinyqs/core";
import { HEADERS, ROUTES, pathOf } from "@tinyqs/core/wire";
import { readBody } from "../body.js";
import type { Context } from "../context.js";
import { replyTimeout } from "../params.js";
import { on } from "./route.js";
import { whileConnected } from "./while-connected.js";

export function requestRoutes(ctx: Context): Router {
  const { api, limits } = ctx;
  const r = Router();

  // put + wait rather than api.request: on a timeout the caller must still learn the handle.
  on(r, ROUTES.request, async (req, res, query) => {
    const timeoutMs = replyTimeout(query.timeoutMs, limits.maxWaitMs);
    const body = await readBody(req, res, limits.maxMessageBytes, limits.bodies);
    const handle = await api.put(req.params.queue, body);
    res.set(HEADERS.replyHandle, handle); // the reply is there: `<queue>:<id>`, what put() returns
    // The client may have left while the request was being stored: then this wait ends at once,
    // and the reply stays for GET /v1/replies/:handle.
    const reply = await whileConnected(ctx, req, res, (signal) => api.wait(handle, { timeoutMs, signal }));
    if (reply === undefined) return;
    if (reply) return sendReply(res, reply);
    const later = `collect it with ${ROUTES.reply.method} ${pathOf(ROUTES.reply, { handle })}`;
    throw new TinyQSError(
      "TIMEOUT",
      ctx.isClosing ? `the server is shutting down before a reply to ${handle} came; ${later}` : `no reply to ${handle} within ${timeoutMs} ms; ${later}`,
    );
  });

  // Only the current reservation may respond: a lease that ran out, a second respond or an unknown
  // receipt stores nothing (404), so a request gets exactly one reply.
  on(r, ROUTES.respond, async (req, res) => {
    const body = await readBody(req, res, limits.maxMessageBytes, limits.bodies);
    if (!(await api.respond(req.params.queue, req.params.receipt, body))) throw new TinyQSError("NOT_FOUND");
    res.status(204).end();
  });

  // The handle contains ':', URL-encoded or not; express hands it over decoded.
  on(r, ROUTES.reply, async (req, res, query) => {
    const timeoutMs = replyTimeout(query.timeoutMs, limits.maxWaitMs);
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
