// RESP2 encoding, and the shapes of the queue replies (a message, stats, a queue's settings). Every
// function returns the complete bytes of one reply, so a handler's answer can be queued and written
// as it is. Texts that RESP carries on a single line (simple strings, errors) have CR and LF replaced
// by spaces: a stray newline there would desynchronise the client.
import { CONFIG_SETTINGS, type Message, type QueueConfig, type QueueStats } from "@tinyqs/core";

/** One encoded reply (or a part of an array being built). */
export type Encoded = Buffer;

const CRLF = "\r\n";

const oneLine = (s: string) => s.replace(/[\r\n]+/g, " ");

export const OK: Encoded = Buffer.from("+OK\r\n");
export const PONG: Encoded = Buffer.from("+PONG\r\n");
/** The null bulk string: "no message", "no name". */
export const NIL: Encoded = Buffer.from("$-1\r\n");
const EMPTY_ARRAY: Encoded = Buffer.from("*0\r\n");
export const ZERO: Encoded = Buffer.from(":0\r\n");
export const ONE: Encoded = Buffer.from(":1\r\n");

export function simple(s: string): Encoded {
  return Buffer.from(`+${oneLine(s)}${CRLF}`);
}

/** An error reply; `line` starts with its code (`ERR …`, `BAD_NAME …`). */
export function error(line: string): Encoded {
  return Buffer.from(`-${oneLine(line)}${CRLF}`);
}

export function integer(n: number): Encoded {
  if (n === 0) return ZERO;
  if (n === 1) return ONE;
  return Buffer.from(`:${Math.trunc(n)}${CRLF}`);
}

/** A bulk string: bytes kept exact; a JS string is sent as UTF-8; null is the nil bulk. */
export function bulk(value: Buffer | string | null): Encoded {
  if (value === null) return NIL;
  if (typeof value === "string") {
    // One allocation for short ASCII-ish strings (ids, receipts, names).
    return Buffer.from(`$${Buffer.byteLength(value)}${CRLF}${value}${CRLF}`);
  }
  const head = Buffer.from(`$${value.length}${CRLF}`);
  const out = Buffer.allocUnsafe(head.length + value.length + 2);
  head.copy(out, 0);
  value.copy(out, head.length);
  out.write(CRLF, head.length + value.length, "latin1");
  return out;
}

/** An array of already encoded elements; null is the nil array. */
export function array(items: readonly Encoded[] | null): Encoded {
  if (items === null) return Buffer.from(`*-1${CRLF}`);
  if (items.length === 0) return EMPTY_ARRAY;
  return Buffer.concat([Buffer.from(`*${items.length}${CRLF}`), ...items]);
}

/** An array of bulk strings. */
export function bulkArray(items: readonly (Buffer | string | null)[]): Encoded {
  return array(items.map(bulk));
}

/** A RESP3 map sent to a RESP2 client: a flat array key, value, key, value, … */
export function flatMap(entries: ReadonlyArray<readonly [string, Encoded]>): Encoded {
  const items: Encoded[] = [];
  for (const [k, v] of entries) items.push(bulk(k), v);
  return array(items);
}

// ---- the queue replies ------------------------------------------------------------------------

/** A message: id, receipt (nil when peeked), body, receiveCount, sentAt; or nil for none. */
export function messageReply(m: Message | null): Encoded {
  return m ? encodeMessages([m], false) : NIL;
}

/** RECEIVE … COUNT: an array of messages (maybe empty). */
export function messagesReply(ms: readonly Message[]): Encoded {
  return encodeMessages(ms, true);
}

/**
 * Messages as RESP, each `*5` id, receipt (nil for PEEK), body, receiveCount, sentAt, in ONE buffer:
 * each body is copied once, where building it from bulk() and array() copied it three times (a
 * RECEIVE … COUNT reply carries up to 1000 bodies of up to 1 MiB).
 */
function encodeMessages(ms: readonly Message[], asArray: boolean): Encoded {
  const heads: string[] = [];
  const tails: string[] = [];
  let size = 0;
  for (const m of ms) {
    const receipt = m.receipt === null ? "$-1\r\n" : `$${Buffer.byteLength(m.receipt)}\r\n${m.receipt}\r\n`;
    const head = `*5\r\n$${Buffer.byteLength(m.id)}\r\n${m.id}\r\n${receipt}$${m.body.length}\r\n`;
    const tail = `\r\n:${m.receiveCount}\r\n:${m.sentAt}\r\n`;
    heads.push(head);
    tails.push(tail);
    size += Buffer.byteLength(head) + m.body.length + tail.length;
  }
  const top = asArray ? `*${ms.length}\r\n` : "";
  const out = Buffer.allocUnsafe(top.length + size);
  let at = out.write(top, 0, "latin1");
  for (let i = 0; i < ms.length; i++) {
    at += out.write(heads[i]!, at, "utf8");
    at += ms[i]!.body.copy(out, at);
    at += out.write(tails[i]!, at, "latin1");
  }
  return out;
}

/** STATS: field, value, … in the engine's order. */
export function statsReply(stats: QueueStats): Encoded {
  return flatMap(Object.entries(stats).map(([k, v]) => [k, integer(v as number)]));
}

/** QCONFIG: every setting, in the order of the engine's settings table; numbers as integers. */
export function configReply(c: QueueConfig): Encoded {
  return flatMap(CONFIG_SETTINGS.map((f) => [f.name, typeof c[f.name] === "number" ? integer(c[f.name] as number) : bulk(String(c[f.name]))]));
}
