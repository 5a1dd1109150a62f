// The long waits a route makes on behalf of one client (a receive or peek long poll, a reply wait)
// end as soon as that client leaves, or the server shuts down. One helper decides what "left" means,
// so every such route notices a disconnect the same way and as early as node lets it.
import type { Request, Response } from "express";
import type { Context } from "../context.js";

/**
 * The client is gone, or will get nothing more on this connection: the response closed, the socket
 * was destroyed, or the client closed its sending side (FIN). After a FIN node ends the socket
 * itself (the server is not half-open), so an answer could not be written anyway.
 */
function clientLeft(req: Request, res: Response): boolean {
  return res.closed || req.socket.destroyed || req.socket.readableEnded;
}

export interface WhileConnectedOptions<T> {
  /**
   * A result that was ready but never (fully) written to the client: the client left before the
   * wait ended, or before the route's answer was flushed. It is the caller's to give back.
   */
  unwritten?: (result: T) => unknown;
}

/**
 * Run a wait with a signal that aborts when the client leaves (or the server shuts down). Resolves
 * with the result for the route to write, or undefined when nobody is left to answer.
 *
 * The signal aborts at the first sign of leaving: at once if the client already left (during an
 * earlier step of the route, such as reading the body or storing a request, when these events have
 * already fired), else at the socket's FIN or close, not only at the response's 'close', which node
 * emits an event-loop turn later: time enough for a wait to collect something and have nobody to
 * give it to. The engine puts back what it was collecting for an aborted signal at that instant.
 */
export async function whileConnected<T>(
  ctx: Context,
  req: Request,
  res: Response,
  run: (signal: AbortSignal) => Promise<T>,
  options: WhileConnectedOptions<T> = {},
): Promise<T | undefined> {
  const wait = ctx.track();
  const socket = req.socket;
  let left = false;
  const gone = () => {
    left = true;
    wait.abort();
  };
  if (clientLeft(req, res)) gone();
  res.once("close", gone);
  socket.once("end", gone);
  socket.once("close", gone);
  let result: T;
  try {
    result = await run(wait.signal);
  } finally {
    res.off("close", gone);
    socket.off("end", gone);
    socket.off("close", gone);
    wait.done();
  }
  const { unwritten } = options;
  if (left || clientLeft(req, res)) {
    await unwritten?.(result);
    return undefined;
  }
  // The route writes the result next; a client gone before it was flushed never got it.
  if (unwritten) res.once("close", () => void (res.writableFinished || unwritten(result)));
  return result;
}
