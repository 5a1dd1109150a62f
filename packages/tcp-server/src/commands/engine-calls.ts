// How a queue command hands its engine call to the connection (a Deferred, see types.ts), and the
// one handler RECEIVE and TAKE share: reserving messages, and giving them back when the client left
// before it got them.
import type { Message, TinyQSApi } from "@tinyqs/core";
import { messageReply, messagesReply, type Encoded } from "../resp/encoder.js";
import { optInt, options, text } from "./arguments.js";
import type { Deferred, Handler, ServerState } from "./types.js";

export const engineCall = (mode: Deferred["mode"], run: () => Promise<Encoded>): Deferred => ({ mode, run });

/** A RECEIVE, PEEK or TAKE: with WAIT it runs alone and blocks its connection, without it it overlaps. */
export const waitingCall = (waitMs: number, run: () => Promise<Encoded>): Deferred =>
  waitMs > 0 ? { mode: "alone", waits: true, run } : { mode: "overlap", run };

/** What RECEIVE and TAKE ask the engine for: reserve up to `max` messages, waiting up to `waitMs`. */
export interface Reservation {
  max: number;
  waitMs: number;
  visibilityMs: number | undefined;
  signal: AbortSignal;
}

/**
 * The handler of RECEIVE (`withCount`: COUNT allowed) and TAKE (a receive under the
 * request/response name): `QUEUE [COUNT n] [WAIT ms] [VISIBILITY ms]`. Without COUNT the reply is
 * one message or nil, with it an array.
 *
 * The client's signal aborts when it goes away or the server stops: the engine then ends the wait,
 * puts back anything it was reserving at that instant, and answers nothing. Messages reserved but
 * whose reply the client left before it was written go back too (dropped()), their receive count
 * taken back: a client that leaves strands nothing. A client cut for not reading its replies gives
 * back those it may not have read the same way (../reply-output.ts).
 */
export function reservingHandler(withCount: boolean, reserve: (engine: TinyQSApi, queue: string, r: Reservation) => Promise<Message[]>): Handler {
  return (args, client, server) => {
    const queue = text(args[1]!);
    const o = options(args, 2, withCount ? ["COUNT", "WAIT", "VISIBILITY"] : ["WAIT", "VISIBILITY"]);
    const max = withCount ? optInt(o, "COUNT") : undefined;
    const waitMs = optInt(o, "WAIT") ?? 0;
    const visibilityMs = optInt(o, "VISIBILITY");
    const signal = client.signal;
    // Only the receipts are kept for dropped(): a connection remembers its written replies'
    // reservations for a while (reply-output.ts), and must not keep their bodies alive meanwhile.
    let receipts: string[] = [];
    const call = waitingCall(waitMs, async () => {
      const got = await reserve(server.engine, queue, { max: max ?? 1, waitMs, visibilityMs, signal });
      receipts = got.map((m) => m.receipt!);
      return max === undefined ? messageReply(got[0] ?? null) : messagesReply(got);
    });
    return { ...call, dropped: () => undeliver(server, queue, receipts) };
  };
}

/**
 * Messages taken for a client that left before getting them, or was cut for not reading them:
 * ready again, the delivery taken back. A receipt gone stale meanwhile (deleted, lease over) is a no-op.
 */
function undeliver(server: ServerState, queue: string, receipts: readonly string[]): void {
  for (const r of receipts) void server.engine.release(queue, r, { undeliver: true }).catch(() => false);
}
