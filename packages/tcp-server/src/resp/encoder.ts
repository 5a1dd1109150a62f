// RESP encoding, and the shapes of the queue replies (a message, stats, a queue's settings). Every
// function returns the complete bytes of one reply, so a handler's answer can be queued and written
// as it is. Texts that RESP carries on a single line (simple strings, errors) have CR and LF replaced
// by spaces: a stray newline there would desynchronise the client.
//
// RESP3 (a connection that said `HELLO 3`) differs from RESP2 only in nulls (`_`) and maps (`%`).
// So handlers never see the protocol: every reply is built as RESP2 bytes, and a reply that holds
// a null or a map also carries (under a symbol, built only if asked for) its RESP3 bytes.
// forProtocol() picks one when the reply is written. Arrays pass their elements' RESP3 forms up.
import { CONFIG_SETTINGS, type BrowsedMessage, type Message, type QueueConfig, type QueueStats } from "@tinyqs/core";

/** One encoded reply (or a part of an array being built). */
export type Encoded = Buffer;

const CRLF = "\r\n";

const oneLine = (s: string) => s.replace(/[\r\n]+/g, " ");

const RESP3 = Symbol("resp3");
/** A reply whose RESP3 bytes differ from its RESP2 bytes. */
type Dual = Buffer & { [RESP3]?: () => Buffer };

/** The protocol a connection speaks: 2 until it says `HELLO 3`. */
export type Protocol = 2 | 3;

function withResp3(resp2: Buffer, resp3: () => Buffer): Encoded {
  (resp2 as Dual)[RESP3] = resp3;
  return resp2;
}

const differs = (e: Encoded): boolean => (e as Dual)[RESP3] !== undefined;

/** The bytes of `reply` for a client of `protocol` (the reply itself for RESP2). */
export function forProtocol(reply: Encoded, protocol: Protocol): Encoded {
  if (protocol === 2) return reply;
  const resp3 = (reply as Dual)[RESP3];
  return resp3 ? resp3() : reply;
}

export const OK: Encoded = Buffer.from("+OK\r\n");
export const PONG: Encoded = Buffer.from("+PONG\r\n");
const NULL3 = Buffer.from("_\r\n");
/** The null: "no message", "no name" (`$-1` in RESP2, `_` in RESP3). */
export const NIL: Encoded = withResp3(Buffer.from("$-1\r\n"), () => NULL3);
/** The null array of RESP2 (`*-1`); `_` too in RESP3. */
const NIL_ARRAY: Encoded = withResp3(Buffer.from("*-1\r\n"), () => NULL3);
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
  if (items === null) return NIL_ARRAY;
  if (items.length === 0) return EMPTY_ARRAY;
  const head = Buffer.from(`*${items.length}${CRLF}`);
  const resp2 = Buffer.concat([head, ...items]);
  return items.some(differs) ? withResp3(resp2, () => Buffer.concat([head, ...items.map((i) => forProtocol(i, 3))])) : resp2;
}

/** An array of bulk strings. */
export function bulkArray(items: readonly (Buffer | string | null)[]): Encoded {
  return array(items.map(bulk));
}

/** A map: RESP3's `%`; to a RESP2 client, as Redis sends it, a flat array key, value, key, value, … */
export function flatMap(entries: ReadonlyArray<readonly [string, Encoded]>): Encoded {
  const items: Encoded[] = [];
  for (const [k, v] of entries) items.push(bulk(k), v);
  // Not array(items): that may be the shared EMPTY_ARRAY, which must not become a map.
  const resp2 = Buffer.concat([Buffer.from(`*${items.length}${CRLF}`), ...items]);
  return withResp3(resp2, () => Buffer.concat([Buffer.from(`%${entries.length}${CRLF}`), ...items.map((i) => forProtocol(i, 3))]));
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

/** The messages' bytes; a PEEKed one (no receipt) also has RESP3 bytes, with `_` for the receipt. */
function encodeMessages(ms: readonly Message[], asArray: boolean): Encoded {
  const resp2 = encodeMessagesAs(ms, asArray, "$-1\r\n");
  return ms.some((m) => m.receipt === null) ? withResp3(resp2, () => encodeMessagesAs(ms, asArray, "_\r\n")) : resp2;
}

/**
 * Messages as RESP, each `*5` id, receipt (nil for PEEK), body, receiveCount, sentAt, in ONE buffer:
 * each body is copied once, where building it from bulk() and array() copied it three times (a
 * RECEIVE … COUNT reply carries up to 1000 bodies of up to 1 MiB).
 */
function encodeMessagesAs(ms: readonly Message[], asArray: boolean, nil: string): Encoded {
  const heads: string[] = [];
  const tails: string[] = [];
  let size = 0;
  for (const m of ms) {
    const receipt = m.receipt === null ? nil : `$${Buffer.byteLength(m.receipt)}\r\n${m.receipt}\r\n`;
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

/** BROWSE: an array of field lists: id, state, receiveCount, sentAt, size, body, leaseEndsAt or dueAt, and deadLetterOf ("<queue>/<id>") for a dead letter. */
export function browsedReply(ms: readonly BrowsedMessage[]): Encoded {
  return array(
    ms.map((m) => {
      const fields: Array<readonly [string, Encoded]> = [
        ["id", bulk(m.id)], ["state", bulk(m.state)], ["receiveCount", integer(m.receiveCount)],
        ["sentAt", integer(m.sentAt)], ["size", integer(m.size)], ["body", bulk(m.body)],
      ];
      if (m.leaseEndsAt !== undefined) fields.push(["leaseEndsAt", integer(m.leaseEndsAt)]);
      if (m.dueAt !== undefined) fields.push(["dueAt", integer(m.dueAt)]);
      if (m.deadLetterOf) fields.push(["deadLetterOf", bulk(`${m.deadLetterOf.queue}/${m.deadLetterOf.id}`)]);
      return flatMap(fields);
    }),
  );
}

/** STATS: field, value, … in the engine's order, all integers: paused 1 or 0; oldestReadyAgeMs nil when nothing is ready. */
export function statsReply(stats: QueueStats): Encoded {
  return flatMap(Object.entries(stats).map(([k, v]) => [k, v === null ? NIL : integer(typeof v === "boolean" ? Number(v) : (v as number))]));
}

/** QCONFIG: every setting, in the order of the engine's settings table; numbers as integers; then paused, 1 or 0 (read only). */
export function configReply(c: QueueConfig): Encoded {
  const settings = CONFIG_SETTINGS.map((f) => [f.name, typeof c[f.name] === "number" ? integer(c[f.name] as number) : bulk(String(c[f.name]))] as const);
  return flatMap([...settings, ["paused", integer(c.paused ? 1 : 0)]]);
}
