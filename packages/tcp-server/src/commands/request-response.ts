// The handlers of request/response: PUT, TAKE, RESPOND, WAIT. A request is an ordinary message of
// its queue (TAKE is a RECEIVE under another name); its reply is stored under the handle PUT gave,
// and WAIT collects it once. Their rows (arity, docs) are in table.ts.
import { DEFAULTS, parseReplyHandle } from "@tinyqs/core";
import { bulk, integer } from "../resp/encoder.js";
import { optInt, options, text } from "./arguments.js";
import { engineCall, reservingHandler } from "./engine-calls.js";
import type { Handler } from "./types.js";

export const REQUEST_RESPONSE = {
  PUT(args, _client, server) {
    const queue = text(args[1]!);
    const body = args[2]!;
    return engineCall("overlap", async () => bulk(await server.engine.put(queue, body)));
  },

  TAKE: reservingHandler(false, (engine, queue, { waitMs, visibilityMs, signal }) =>
    engine.take(queue, { waitMs, visibilityMs, signal }).then((m) => (m ? [m] : [])),
  ),

  RESPOND(args, _client, server) {
    const queue = text(args[1]!);
    const receipt = text(args[2]!);
    const body = args[3]!;
    return engineCall("overlap", async () => integer((await server.engine.respond(queue, receipt, body)) ? 1 : 0));
  },

  WAIT(args, client, server) {
    const handle = text(args[1]!);
    parseReplyHandle(handle); // a bad handle is refused at once, not after the wait
    const timeoutMs = optInt(options(args, 2, ["TIMEOUT"]), "TIMEOUT") ?? DEFAULTS.replyTimeoutMs;
    const signal = client.signal;
    // A collected reply exists nowhere else, so it must not be dropped unwritten. If the client
    // leaves during the wait, the aborted signal makes the engine put back a reply it collected at
    // that instant. And WAIT always runs alone, even with TIMEOUT 0: its reply is then written in
    // the same tick it arrives, never left behind another command still running when the
    // connection closes (which is what dropped() is for, and a reply cannot be un-collected).
    return {
      mode: "alone",
      waits: timeoutMs > 0,
      run: async () => bulk(await server.engine.wait(handle, { timeoutMs, signal })),
    };
  },
} satisfies Record<string, Handler>;
