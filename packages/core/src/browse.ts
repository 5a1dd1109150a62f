// browse(): reading the messages of one state without touching them (browse-4.lua), for people
// who look at a queue (the dashboard, an operator at redis-cli). Its reply is one flat list of
// entry, time, size, body, origin, base; this file turns it into BrowsedMessages.
import type { Connection } from "./connection.js";
import { scriptKeys, type QueueKeys } from "./keys.js";
import { parseOrigin } from "./message-attributes.js";
import type { BrowsedMessage, BrowseState } from "./types.js";

export async function browse(
  conn: Connection,
  queue: string,
  keys: QueueKeys,
  o: { state: BrowseState; offset: number; limit: number; bodyBytes: number },
): Promise<BrowsedMessage[]> {
  const flat = (await conn.run("browse", scriptKeys.browse(keys), [o.state, o.offset, o.limit, o.bodyBytes], true)) as Buffer[];
  const out: BrowsedMessage[] = [];
  for (let i = 0; i < flat.length; i += 6) {
    const entry = flat[i]!.toString();
    const dot = entry.indexOf(".");
    const id = dot < 0 ? entry : entry.slice(0, dot);
    const m: BrowsedMessage = {
      queue,
      id,
      state: o.state,
      body: flat[i + 3]!,
      size: Number(flat[i + 2]),
      // This life's deliveries: the entry's delivery number less a redriven message's base.
      receiveCount: (dot < 0 ? 0 : Number(entry.slice(dot + 1))) - Number(flat[i + 5]),
      sentAt: Number(id.slice(0, id.indexOf("-"))),
    };
    const at = flat[i + 1]!.toString();
    if (o.state === "inFlight") m.leaseEndsAt = Number(at);
    if (o.state === "delayed") m.dueAt = Number(at);
    const origin = flat[i + 4]!.toString();
    if (origin !== "") {
      const { queue: from, id: idThere } = parseOrigin(origin);
      m.deadLetterOf = { queue: from, id: idThere };
    }
    out.push(m);
  }
  return out;
}
