// The tcp target's request/response verbs (scenario R), used the way a Node user of the TCP server
// would use them with a pipelining client (docs/protocol.md):
//   - PUTs on one pipelined connection (the target's sending one: R sends nothing else), so the
//     requests in flight go out in one write and the server starts a run of PUTs together, as it
//     does SENDs;
//   - RESPONDs on another (the deleting one), for the same reason;
//   - `TAKE q WAIT ms` and `WAIT handle TIMEOUT ms` block their connection while they wait (as BLPOP
//     does), so every take loop and every caller waiting for its reply holds a connection of its
//     own, from a pool that grows to the number waiting at once (by default 50 + 50). The pool grows
//     during the first requests of the run; connecting is a small part of a run of 20 000.
import type { Conn } from "./tcp.js";
import type { RequestHandle } from "./types.js";

export interface TcpRequests {
  requests: RequestHandle;
  close(): void;
}

export function tcpRequests(queue: string, putter: Conn, responder: Conn, connect: () => Promise<Conn>): TcpRequests {
  const all: Conn[] = [];
  const idle: Conn[] = [];
  const borrow = async (): Promise<Conn> => {
    const ready = idle.pop();
    if (ready) return ready;
    const conn = await connect();
    all.push(conn);
    return conn;
  };
  /** Run one blocking command on a connection of its own. */
  const alone = async (name: string, ...args: string[]): Promise<unknown> => {
    const conn = await borrow();
    try {
      return await conn.call(name, ...args);
    } finally {
      idle.push(conn);
    }
  };

  return {
    requests: {
      put: async (body) => String(await putter.call("PUT", queue, body)),
      async take(waitMs) {
        // nil, or a message as RECEIVE answers one: id, receipt, body, receiveCount, sentAt
        const m = (await alone("TAKE", queue, "WAIT", String(waitMs))) as Buffer[] | null;
        return m ? { ref: m[1]!.toString(), body: m[2]! } : null;
      },
      respond: async (ref, body) => (await responder.call("RESPOND", queue, ref, body)) === 1,
      wait: async (handle, timeoutMs) => (await alone("WAIT", handle, "TIMEOUT", String(timeoutMs))) as Buffer | null,
    },
    close() {
      for (const conn of all) conn.close();
    },
  };
}
