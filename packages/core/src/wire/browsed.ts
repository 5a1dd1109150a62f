// browse()'s messages in JSON (the HTTP route `GET /v1/queues/:queue/browse/:state`), both ways:
// the server writes them, the client reads them back. Bodies in base64, as everywhere in the API's JSON.
import type { BrowsedMessage, BrowseState } from "../types.js";

export interface BrowsedJson {
  id: string;
  state: BrowseState;
  /** base64; the first bodyBytes bytes of the body */
  body: string;
  size: number;
  receiveCount: number;
  sentAt: number;
  leaseEndsAt?: number;
  dueAt?: number;
  deadLetterOf?: { queue: string; id: string };
}

export function browsedToJson(m: BrowsedMessage): BrowsedJson {
  const { queue: _queue, body, ...rest } = m;
  return { ...rest, body: body.toString("base64") };
}

export function browsedFromJson(queue: string, json: unknown): BrowsedMessage {
  const j = json as BrowsedJson;
  const m: BrowsedMessage = {
    queue,
    id: String(j.id),
    state: j.state,
    body: Buffer.from(String(j.body ?? ""), "base64"),
    size: Number(j.size),
    receiveCount: Number(j.receiveCount),
    sentAt: Number(j.sentAt),
  };
  if (j.leaseEndsAt !== undefined) m.leaseEndsAt = Number(j.leaseEndsAt);
  if (j.dueAt !== undefined) m.dueAt = Number(j.dueAt);
  if (j.deadLetterOf) m.deadLetterOf = { queue: String(j.deadLetterOf.queue), id: String(j.deadLetterOf.id) };
  return m;
}
