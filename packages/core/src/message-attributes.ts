// Message attributes: a small map of strings kept with a message, beside its body (the SQS port's
// MessageAttributes live here). They travel inside the value the bodies hash holds for the
// message, framed ahead of the body, so every Lua script moves them with the body unchanged
// (receive, dead-lettering, the Cluster outbox) and a delete or purge removes them with it. The
// engine takes the frame off again for every reader: what receive(), peek(), the TCP and HTTP
// servers hand out is the body exactly as sent, byte for byte.
//
// Stored value: the body alone (no attributes), or
//   MAGIC (4 bytes "\0tqa") · length of the JSON (uint32, big-endian) · attributes as JSON · body
// A body sent without attributes that happens to begin with MAGIC (or DEAD_MAGIC) is framed too
// (with `{}`), so a stored value is read back one way only. Attributes count towards the queue's
// maxMessageBytes, as SQS counts them towards its limit.
//
// A dead letter carries one more frame ahead of that, written by receive-9.lua when it dies: where
// it died, for redrive (redrive-6.lua reads it, the engine takes it off before the letter goes back):
//   DEAD_MAGIC (4 bytes "\0tqd") · length of origin (uint32, big-endian) · "<source queue>/<id there>.<n>" · stored value
// n is how many times it had been delivered there (absent in letters of older versions: 0).
//
// A redriven message that kept its id carries instead (adopt-4.lua writes it) the deliveries of its
// earlier lives, its "base": receipts `<id>.<n>` keep counting up across lives, so that a receipt of
// an earlier life never names a delivery again (fencing), while receiveCount is n − base and the
// maxReceives budget starts again. Only redriven messages pay for it; dying again drops it.
//   BASE_MAGIC (4 bytes "\0tqb") · base (uint32, big-endian) · stored value
import { toBuffer } from "./arguments.js";
import { TinyQSError } from "./errors.js";

const MAGIC = Buffer.from([0x00, 0x74, 0x71, 0x61]);
const DEAD_MAGIC = Buffer.from([0x00, 0x74, 0x71, 0x64]);
const BASE_MAGIC = Buffer.from([0x00, 0x74, 0x71, 0x62]);
const HEADER_BYTES = MAGIC.length + 4;

/** Where a dead letter died: the queue, and the id it had there (the one its send returned). */
export interface Origin {
  queue: string;
  id: string;
  /** How many times it had been delivered there before it died (0 for letters of older versions). */
  deliveries: number;
}

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

/**
 * The value to store for a body as the caller gave it (a Buffer, Uint8Array or string). A string
 * with no attributes whose first character is not NUL (every frame's magic starts with a 0 byte) is
 * stored as the string itself: ioredis writes its UTF-8 bytes into the command, the same bytes
 * Buffer.from(body, "utf8") makes (a lone surrogate becomes EF BF BD either way), so the body is
 * encoded once instead of encoded into a Buffer and then copied into the command. Anything else is
 * a Buffer, framed as frameBody frames it.
 */
export function storedValue(body: unknown, attributes: Attributes | undefined): Buffer | string {
  if (typeof body === "string" && !attributes && body.charCodeAt(0) !== 0) return body;
  return frameBody(toBuffer(body), attributes);
}

/** The size in bytes of a stored value (a string: its UTF-8 encoding). */
export const storedBytes = (value: Buffer | string): number => (typeof value === "string" ? Buffer.byteLength(value, "utf8") : value.length);

/** The value to store for `body` (and its attributes, if any). */
export function frameBody(body: Buffer, attributes: Attributes | undefined): Buffer {
  if (!attributes && !startsWith(body, MAGIC) && !startsWith(body, DEAD_MAGIC) && !startsWith(body, BASE_MAGIC)) return body;
  const json = Buffer.from(JSON.stringify(attributes ?? {}), "utf8");
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header);
  header.writeUInt32BE(json.length, MAGIC.length);
  return Buffer.concat([header, json, body]);
}

/**
 * A stored value → the body as sent, its attributes (undefined: none) and its base (deliveries
 * before this life: 0 unless redriven); a dead letter's origin frame is left out.
 */
export function unframeBody(stored: Buffer): { body: Buffer; attributes: Attributes | undefined; base: number } {
  const { stored: value, base } = withoutBase(withoutOrigin(stored).stored);
  if (!startsWith(value, MAGIC) || value.length < HEADER_BYTES) return { body: value, attributes: undefined, base };
  const jsonEnd = HEADER_BYTES + value.readUInt32BE(MAGIC.length);
  const attributes = JSON.parse(value.subarray(HEADER_BYTES, jsonEnd).toString("utf8")) as Attributes;
  return { body: value.subarray(jsonEnd), attributes: Object.keys(attributes).length > 0 ? attributes : undefined, base };
}

/** A stored value without its base frame, and the base (0: it had none). */
export function withoutBase(stored: Buffer): { stored: Buffer; base: number } {
  if (!startsWith(stored, BASE_MAGIC) || stored.length < HEADER_BYTES) return { stored, base: 0 };
  return { stored: stored.subarray(HEADER_BYTES), base: stored.readUInt32BE(BASE_MAGIC.length) };
}

/** A stored value without its dead letter's origin frame, and that origin (undefined: it had none). */
export function withoutOrigin(stored: Buffer): { stored: Buffer; origin: Origin | undefined } {
  if (!startsWith(stored, DEAD_MAGIC) || stored.length < HEADER_BYTES) return { stored, origin: undefined };
  const end = HEADER_BYTES + stored.readUInt32BE(DEAD_MAGIC.length);
  return { stored: stored.subarray(end), origin: parseOrigin(stored.subarray(HEADER_BYTES, end).toString("utf8")) };
}

/** An origin frame's text, "<queue>/<id>.<n>" (or "<queue>/<id>" from older versions) → its parts. */
export function parseOrigin(text: string): Origin {
  const slash = text.lastIndexOf("/");
  const entry = text.slice(slash + 1);
  const dot = entry.indexOf(".");
  return { queue: text.slice(0, slash), id: dot < 0 ? entry : entry.slice(0, dot), deliveries: dot < 0 ? 0 : Number(entry.slice(dot + 1)) };
}

function startsWith(b: Buffer, magic: Buffer): boolean {
  return b.length >= magic.length && b[0] === magic[0] && b.subarray(0, magic.length).equals(magic);
}
