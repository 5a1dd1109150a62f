// tinyqs-tcp's replies (docs/protocol.md) as the values of the TinyQSApi: a message is the array
// id, receipt (nil for a peek), body, receiveCount, sentAt; STATS and QCONFIG answer `name value`
// pairs, the settings typed by core's settings table (configFromPairs in @tinyqs/core/wire).
import { isRef, type BrowsedMessage, type BrowseState, type Message, type QueueConfig, type QueueStats } from "@tinyqs/core";
import { configFromPairs } from "@tinyqs/core/wire";

/** A reply as ioredis hands it over (bulk strings as Buffers when asked for binary replies). */
export type Reply = null | number | Buffer | string | Reply[];

function toMessage(queue: string, r: Reply[]): Message {
  const [id, receipt, body, receiveCount, sentAt] = r;
  return {
    queue,
    id: String(id),
    receipt: receipt === null || receipt === undefined ? null : String(receipt),
    body: Buffer.isBuffer(body) ? body : Buffer.from(String(body)),
    receiveCount: Number(receiveCount),
    sentAt: Number(sentAt),
  };
}

/** A message, or nil for none. */
export const toMessageOrNull = (queue: string) => (r: Reply): Message | null => (r === null ? null : toMessage(queue, r as Reply[]));

/** RECEIVE … COUNT: an array of messages (nil read as none). */
export const toMessages = (queue: string) => (r: Reply): Message[] => ((r ?? []) as Reply[]).map((m) => toMessage(queue, m as Reply[]));

export function toConfig(reply: Reply): QueueConfig {
  return configFromPairs((reply as Reply[]).map(String));
}

/** STATS: counters as integers; paused 0 or 1; oldestReadyAgeMs nil when nothing is ready. */
export function toStats(reply: Reply): QueueStats {
  const r = reply as Reply[];
  const out: Record<string, number | boolean | null> = {};
  for (let i = 0; i + 1 < r.length; i += 2) out[String(r[i])] = r[i + 1] === null ? null : Number(r[i + 1]);
  out.paused = out.paused === 1;
  return out as unknown as QueueStats;
}

/** MDELETE's and MTOUCH's reply: one integer per item, 1 done. */
export const perItem = (reply: Reply): boolean[] => (reply as Reply[]).map((n) => Number(n) === 1);

/**
 * An item of a batch as a command argument: an item that is not a receipt at all (not a string, or
 * empty, or over 256 characters) is sent as the empty argument, which the server answers 0 for, so
 * it fails alone, as in the engine.
 */
export const refArg = (ref: unknown): string => (isRef(ref) ? ref : "");

/** BROWSE's reply: an array of field lists (bulks as Buffers: the body is bytes). */
export function toBrowsed(queue: string, reply: Reply): BrowsedMessage[] {
  return (reply as Reply[][]).map((pairs) => {
    const f = new Map<string, Reply>();
    for (let i = 0; i + 1 < pairs.length; i += 2) f.set(String(pairs[i]), pairs[i + 1]!);
    const m: BrowsedMessage = {
      queue,
      id: String(f.get("id")),
      state: String(f.get("state")) as BrowseState,
      body: f.get("body") as Buffer,
      size: Number(f.get("size")),
      receiveCount: Number(f.get("receiveCount")),
      sentAt: Number(f.get("sentAt")),
    };
    if (f.has("leaseEndsAt")) m.leaseEndsAt = Number(f.get("leaseEndsAt"));
    if (f.has("dueAt")) m.dueAt = Number(f.get("dueAt"));
    const origin = f.get("deadLetterOf");
    if (origin !== undefined) {
      const text = String(origin);
      const slash = text.lastIndexOf("/");
      m.deadLetterOf = { queue: text.slice(0, slash), id: text.slice(slash + 1) };
    }
    return m;
  });
}
