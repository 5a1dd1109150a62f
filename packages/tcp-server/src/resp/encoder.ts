// RESP2 encoding. Every function returns the complete bytes of one reply, so a handler's answer can
// be queued and written as it is. Texts that RESP carries on a single line (simple strings, errors)
// have CR and LF replaced by spaces: a stray newline there would desynchronise the client.

/** One encoded reply (or a part of an array being built). */
export type Encoded = Buffer;

const CRLF = "\r\n";

const oneLine = (s: string) => s.replace(/[\r\n]+/g, " ");

export const OK: Encoded = Buffer.from("+OK\r\n");
export const PONG: Encoded = Buffer.from("+PONG\r\n");
/** The null bulk string: "no message", "no name". */
export const NIL: Encoded = Buffer.from("$-1\r\n");
export const EMPTY_ARRAY: Encoded = Buffer.from("*0\r\n");
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
