// The merged script calls of one queue: sends, receives and deletes issued in the same tick go out as
// one script call each (coalescer.ts). Here is how the calls of one batch are packed into the
// script's ARGV, and how its reply is dealt back out to each caller; peek, which reads with
// receive-9.lua too, parses its reply the same way.
import { BATCH_BYTES, Coalescer } from "./coalescer.js";
import type { Connection } from "./connection.js";
import type { DeadLetters } from "./dead-letters.js";
import { DEFAULTS } from "./defaults.js";
import { TinyQSError } from "./errors.js";
import { scriptKeys, type QueueKeys } from "./keys.js";
import { LUA_CODES } from "./lua-codes.js";
import { unframeBody } from "./message-attributes.js";
import type { Message } from "./types.js";

export interface SendGroup {
  delayMs: number;
  /** The stored values (message-attributes.ts storedValue): Buffers, or strings sent as their UTF-8 bytes. */
  bodies: Array<Buffer | string>;
  /** The group's weight in a batch (coalescer.ts bodyWeight, summed over its bodies). */
  weight: number;
  /** One per body (undefined: none), or absent when no body of the group has one. */
  dedupIds?: ReadonlyArray<string | undefined>;
}

export interface ReceiveGroup {
  max: number;
  visibilityMs: number; // 0 = the queue's
}

/** One try of a long poll: what it got, and when something may come due (LUA_CODES.receive.NOTHING_DUE: nothing will). */
export interface Attempt<T> {
  value: T;
  nextDueIn: number;
}

/** The coalescers of one queue. */
export interface QueueOps {
  keys: QueueKeys;
  send: Coalescer<SendGroup, string[] | TinyQSError>;
  receive: Coalescer<ReceiveGroup, Attempt<Message[]>>;
  /** Groups of refs: one for delete, many for deleteBatch. Concurrent deleteBatch calls (fifty
   * consumer loops acknowledging a few messages each) merge into one script call like deletes do. */
  delete: Coalescer<string[], boolean[]>;
}

/** The most refs one delete script call carries (a deleteBatch of more goes alone). */
const MAX_DELETE_REFS = 1000;

export function createQueueOps(queue: string, keys: QueueKeys, conn: Connection, deadLetters: DeadLetters): QueueOps {
  return {
    keys,
    send: new Coalescer((groups) => flushSends(conn, keys, groups), { maxWeight: BATCH_BYTES, weigh: (g) => g.weight }),
    receive: new Coalescer((groups) => flushReceives(deadLetters, queue, keys, groups), { weigh: (g) => g.max }),
    delete: new Coalescer((groups) => flushDeleteGroups(conn, keys, groups), { maxWeight: MAX_DELETE_REFS, weigh: (g) => g.length }),
  };
}

/** The next ready message, not reserved. */
export async function peekOnce(deadLetters: DeadLetters, queue: string, keys: QueueKeys): Promise<Attempt<Message[]>> {
  const reply = await deadLetters.receive(queue, keys, "peek", []);
  return { value: toMessages(queue, reply, 2, false), nextDueIn: Number(reply[0]) };
}

async function flushSends(conn: Connection, keys: QueueKeys, groups: SendGroup[]): Promise<Array<string[] | TinyQSError>> {
  const runs: number[] = [];
  const bodies: Array<Buffer | string> = [];
  const dedupPairs: Array<number | string> = []; // body number (from 1), dedup id
  for (const g of groups) {
    const n = runs.length;
    if (n > 0 && runs[n - 2] === g.delayMs && runs[n - 1] === g.bodies.length) runs[n - 3]!++;
    else runs.push(1, g.delayMs, g.bodies.length);
    g.dedupIds?.forEach((d, k) => d !== undefined && dedupPairs.push(bodies.length + k + 1, d));
    bodies.push(...g.bodies);
  }
  const args = [keys.wake, DEFAULTS.maxMessageBytes, DEFAULTS.dedupWindowMs, runs.length / 3, dedupPairs.length / 2, ...runs, ...dedupPairs, ...bodies];
  const [now, ...rest] = (await conn.run("send", scriptKeys.send(keys), args)) as [string, ...Array<number | string>];
  // After one entry per group: (body number, id) for each body answered by an earlier send's id.
  const answered = new Map<number, string>();
  for (let i = groups.length; i + 1 < rest.length; i += 2) answered.set(Number(rest[i]), String(rest[i + 1]));
  let bodyNumber = 0;
  return groups.map((g, i) => {
    const first = Number(rest[i]);
    const from = bodyNumber;
    bodyNumber += g.bodies.length;
    if (first === LUA_CODES.send.TOO_BIG) return new TinyQSError("TOO_BIG", "a message body is larger than the queue's maxMessageBytes");
    let seq = first;
    return g.bodies.map((_, k) => answered.get(from + k + 1) ?? `${now}-${seq++}`);
  });
}

async function flushReceives(deadLetters: DeadLetters, queue: string, keys: QueueKeys, groups: ReceiveGroup[]): Promise<Array<Attempt<Message[]>>> {
  const reply = await deadLetters.receive(queue, keys, "receive", runsOf(groups));
  const nextDueIn = Number(reply[0]);
  const messages = toMessages(queue, reply, 2, true);
  let at = 0;
  return groups.map((g) => ({ value: messages.slice(at, (at += g.max)), nextDueIn }));
}

async function flushDeleteGroups(conn: Connection, keys: QueueKeys, groups: string[][]): Promise<boolean[][]> {
  const items = groups.length === 1 ? groups[0]! : groups.flat();
  const reply = (await conn.run("delete", scriptKeys.delete(keys), items)) as string;
  let at = 0;
  return groups.map((g) => {
    const done = new Array<boolean>(g.length);
    for (let k = 0; k < g.length; k++) done[k] = reply[at++] === LUA_CODES.delete.DELETED;
    return done;
  });
}

/** receive-9.lua's ARGV for some callers: runs of equal wants as (callers, max, visibilityMs). */
function runsOf(groups: ReceiveGroup[]): number[] {
  const runs: number[] = [];
  for (const g of groups) {
    const n = runs.length;
    if (n > 0 && runs[n - 2] === g.max && runs[n - 1] === g.visibilityMs) runs[n - 3]!++;
    else runs.push(1, g.max, g.visibilityMs);
  }
  return runs;
}

/**
 * Messages from a flat reply: id, delivery number n, stored value, id, … starting at `from`. The
 * receipt names the delivery (`<id>.<n>`); receiveCount counts this life's deliveries only (n less
 * the base a redriven message carries, see message-attributes.ts).
 */
function toMessages(queue: string, flat: unknown[], from: number, reserved: boolean): Message[] {
  const out: Message[] = [];
  for (let i = from; i < flat.length; i += 3) {
    const id = String(flat[i]);
    const n = Number(flat[i + 1]);
    const { body, attributes, base } = unframeBody(flat[i + 2] as Buffer);
    const message: Message = { queue, id, receipt: reserved ? `${id}.${n}` : null, body, receiveCount: n - base, sentAt: Number(id.slice(0, id.indexOf("-"))) };
    if (attributes) message.attributes = attributes;
    out.push(message);
  }
  return out;
}
