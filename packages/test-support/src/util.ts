// Small helpers shared by the tests of every package: queue names, waiting, error assertions, admin
// clients and a look at what a queue leaves in Redis.
import { randomUUID } from "node:crypto";
import { inspect } from "node:util";
import { Cluster, Redis } from "ioredis";
import { expect } from "vitest";
import { TinyQSError } from "@tinyqs/core";

export { sleep } from "./redis-server.js";
import { sleep } from "./redis-server.js";

/** A fresh queue name for one test. */
export const uniqueQueue = (tag = "t") => `${tag}-${randomUUID().slice(0, 8)}`;

/**
 * Generous upper bound (ms) for "a waiting receiver gets it at once": a send, a due delayed message
 * or an ended lease must reach a long-polling receiver within this. The design target is ~100 ms;
 * the bound leaves room for a loaded 2-core machine. It is far below the waits used, so an engine
 * that only notices at the end of a long poll, or polls once a second, fails.
 */
export const WAKE_MS = 700;

/** Wait until fn() returns a truthy value (returned), or fail after timeoutMs. */
export async function eventually<T>(fn: () => Promise<T> | T, timeoutMs = 5000, stepMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms (last: ${inspect(last)})`);
    await sleep(stepMs);
  }
}

/**
 * Expect an operation to reject with a TinyQSError of this code. Every operation is async, so a
 * synchronous throw counts as a failure too.
 */
export async function expectCode(fn: () => unknown, code: string, what = ""): Promise<TinyQSError> {
  let p: unknown;
  try {
    p = fn();
  } catch (e) {
    throw new Error(`${what} threw synchronously (${inspect(e)}) instead of returning a promise that rejects with ${code}`);
  }
  let value: unknown;
  try {
    value = await p;
  } catch (e) {
    if (!(e instanceof TinyQSError)) throw new Error(`${what} rejected with ${inspect(e)}, expected TinyQSError ${code}`);
    expect(e.code, `${what}: ${e.message}`).toBe(code);
    return e;
  }
  throw new Error(`${what} resolved with ${inspect(value)}, expected a rejection with ${code}`);
}

/** How long an async call took, with its outcome. */
export async function timed<T>(p: Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  const value = await p;
  return { value, ms: Date.now() - t0 };
}

export type Admin = Redis | Cluster;

export function adminFor(target: { url?: string; nodes?: string[] }): Admin {
  if (target.nodes) {
    return new Cluster(
      target.nodes.map((n) => {
        const [host, port] = n.split(":");
        return { host: host!, port: Number(port) };
      }),
    );
  }
  return new Redis(target.url!, { maxRetriesPerRequest: 1 });
}

/** Every key matching a glob pattern, on one Redis or on every master of a cluster. */
export async function scanKeys(admin: Admin, pattern: string): Promise<string[]> {
  const nodes = admin instanceof Cluster ? admin.nodes("master") : [admin];
  const out = new Set<string>();
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      cursor = next;
      for (const k of keys) out.add(k);
    } while (cursor !== "0");
  }
  return [...out];
}

/** The keys of one queue (`<prefix>:{<queue>}:*`). */
export function queueKeys(admin: Admin, queue: string, prefix = "tinyqs"): Promise<string[]> {
  return scanKeys(admin, `${prefix}:{${queue}}:*`);
}

export const KEY_KINDS = [
  "ready", "delayed", "inflight", "bodies", "receives", "stats", "config", "outbox", "outbox-bodies", "outbox-routes", "adopted", "replies", "reply-expiry",
];

/** Whether a stored item names this message: the id itself, or an entry/receipt "<id>.<n>". */
function namesMessage(item: string, ids: Set<string>): boolean {
  if (ids.has(item)) return true;
  const dot = item.lastIndexOf(".");
  return dot > 0 && /^\d+$/.test(item.slice(dot + 1)) && ids.has(item.slice(0, dot));
}

/**
 * Where the given message ids still appear in the queue's keys: a hash field, a zset member, a list
 * element (as "<id>" or "<id>.<n>"), a set member, or a key name. Empty when nothing is left behind.
 */
export async function traces(admin: Admin, queue: string, ids: string[], prefix = "tinyqs"): Promise<string[]> {
  const wanted = new Set(ids);
  const found: string[] = [];
  for (const key of await queueKeys(admin, queue, prefix)) {
    for (const id of ids) if (key.includes(id)) found.push(`key name ${key}`);
    const type = await admin.type(key);
    let items: string[] = [];
    if (type === "hash") items = await admin.hkeys(key);
    else if (type === "zset") items = await admin.zrange(key, "0", "-1");
    else if (type === "list") items = await admin.lrange(key, 0, -1);
    else if (type === "set") items = await admin.smembers(key);
    else if (type === "string") items = [(await admin.get(key)) ?? ""];
    for (const item of items) if (namesMessage(item, wanted)) found.push(`${type} ${key} holds ${item}`);
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Redis Cluster slots: pick queue names that land on a given third of the slot space, so that the
// cluster suite spreads its queues over the three masters (redis-cli --cluster create gives them
// 0-5460, 5461-10922 and 10923-16383).

const CRC16_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

/** CRC16/XMODEM mod 16384, as Redis Cluster computes it for a hash tag. */
export function keySlot(tag: string): number {
  let crc = 0;
  for (const b of Buffer.from(tag)) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ b) & 0xff]!;
  return crc % 16384;
}

export function slotThird(slot: number): number {
  return slot <= 5460 ? 0 : slot <= 10922 ? 1 : 2;
}

let rotation = 0;
/** A fresh queue name whose slot is on master `third` (default: the next one, round robin). */
export function spreadQueue(tag = "c", third = rotation++ % 3): string {
  for (;;) {
    const q = uniqueQueue(tag);
    if (slotThird(keySlot(q)) === third) return q;
  }
}
