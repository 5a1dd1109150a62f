// Message attributes: a small map of strings kept with a message, beside its body (the SQS port's
// MessageAttributes live here). They travel inside the value the bodies hash holds for the
// message, framed ahead of the body, so every Lua script moves them with the body unchanged
// (receive, dead-lettering, the Cluster outbox) and a delete or purge removes them with it. The
// engine takes the frame off again for every reader: what receive(), peek(), the TCP and HTTP
// servers hand out is the body exactly as sent, byte for byte.
//
// Stored value: the body alone (no attributes), or
//   MAGIC (4 bytes "\0tqa") · length of the JSON (uint32, big-endian) · attributes as JSON · body
// A body sent without attributes that happens to begin with MAGIC is framed too (with `{}`), so a
// stored value is read back one way only. Attributes count towards the queue's maxMessageBytes,
// as SQS counts them towards its limit.
import { TinyQSError } from "./errors.js";

const MAGIC = Buffer.from([0x00, 0x74, 0x71, 0x61]);
const HEADER_BYTES = MAGIC.length + 4;

/** Attribute names and values: strings. */
export type Attributes = Record<string, string>;

/** SendOptions.attributes, checked: a plain object of strings, or undefined. */
export function checkAttributes(attributes: unknown): Attributes | undefined {
  if (attributes === undefined) return undefined;
  if (typeof attributes !== "object" || attributes === null || Array.isArray(attributes)) {
    throw new TinyQSError("BAD_ARGUMENT", "attributes must be an object of strings");
  }
  for (const [name, value] of Object.entries(attributes)) {
    if (name.length === 0 || typeof value !== "string") throw new TinyQSError("BAD_ARGUMENT", "attributes must be an object of strings, with non-empty names");
  }
  return Object.keys(attributes).length > 0 ? (attributes as Attributes) : undefined;
}

/** The value to store for `body` (and its attributes, if any). */
export function frameBody(body: Buffer, attributes: Attributes | undefined): Buffer {
  if (!attributes && !startsWithMagic(body)) return body;
  const json = Buffer.from(JSON.stringify(attributes ?? {}), "utf8");
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header);
  header.writeUInt32BE(json.length, MAGIC.length);
  return Buffer.concat([header, json, body]);
}

/** A stored value → the body as sent, and its attributes (undefined: none). */
export function unframeBody(stored: Buffer): { body: Buffer; attributes: Attributes | undefined } {
  if (!startsWithMagic(stored) || stored.length < HEADER_BYTES) return { body: stored, attributes: undefined };
  const jsonEnd = HEADER_BYTES + stored.readUInt32BE(MAGIC.length);
  const attributes = JSON.parse(stored.subarray(HEADER_BYTES, jsonEnd).toString("utf8")) as Attributes;
  return { body: stored.subarray(jsonEnd), attributes: Object.keys(attributes).length > 0 ? attributes : undefined };
}

function startsWithMagic(b: Buffer): boolean {
  return b.length >= MAGIC.length && b[0] === MAGIC[0] && b.subarray(0, MAGIC.length).equals(MAGIC);
}
