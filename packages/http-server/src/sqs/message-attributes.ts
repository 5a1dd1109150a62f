// SQS message attributes (MessageAttributes, and the one system attribute a sender may set,
// AWSTraceHeader): checked as SQS checks them, and kept in the engine's message attributes
// (strings beside the body): `m:<name>` / `s:<name>` → JSON {t: DataType, s: StringValue | b: BinaryValue (base64)}.
import { SqsError, invalid } from "./errors.js";
import type { AttributeValue } from "./md5.js";
import type { Params } from "./params.js";

const NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const DATA_TYPE = /^(String|Number|Binary)(\.[^\s]{1,250})?$/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const MAX_ATTRIBUTES = 10;

/** Characters SQS refuses in a body or a string attribute: outside #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF. */
const FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function checkContents(text: string): void {
  if (FORBIDDEN.test(text)) {
    throw new SqsError("InvalidMessageContents", "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
  }
}

/** A MessageAttributes (or MessageSystemAttributes) map, checked. */
export function readAttributes(p: Params, param: "MessageAttributes" | "MessageSystemAttributes"): Record<string, AttributeValue> {
  const given = p[param];
  if (given === undefined || given === null) return {};
  if (typeof given !== "object" || Array.isArray(given)) throw invalid(param, given, "must be a map.");
  const entries = Object.entries(given as Record<string, unknown>);
  if (entries.length > MAX_ATTRIBUTES) throw invalid(param, `${entries.length} attributes`, `Number of message attributes [${entries.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`);
  const out: Record<string, AttributeValue> = {};
  for (const [name, raw] of entries) {
    if (param === "MessageSystemAttributes" && name !== "AWSTraceHeader") {
      throw new SqsError("InvalidParameterValue", `Message system attribute name ${name} is invalid: only AWSTraceHeader can be sent.`);
    }
    if (!NAME.test(name) || /^(aws\.|amazon\.)/i.test(name) || name.includes("..") || name.startsWith(".") || name.endsWith(".")) {
      throw new SqsError("InvalidParameterValue", `Message attribute name ${name} is invalid: 1-256 of A-Z a-z 0-9 _ - ., no "..", not starting or ending with ".", not starting with AWS. or Amazon.`);
    }
    const v = (raw ?? {}) as Record<string, unknown>;
    const type = v.DataType;
    if (typeof type !== "string" || !DATA_TYPE.test(type)) {
      throw new SqsError("InvalidParameterValue", `The message attribute '${name}' has an invalid message attribute type ${JSON.stringify(type ?? null)}: String, Number or Binary, optionally with a .label.`);
    }
    if (type.startsWith("Binary")) {
      if (typeof v.BinaryValue !== "string" || v.BinaryValue === "") throw new SqsError("InvalidParameterValue", `The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
      out[name] = { DataType: type, BinaryValue: v.BinaryValue };
    } else {
      if (typeof v.StringValue !== "string" || v.StringValue === "") throw new SqsError("InvalidParameterValue", `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type.split(".")[0]}'.`);
      if (type.startsWith("Number") && !NUMBER.test(v.StringValue)) throw new SqsError("InvalidParameterValue", `Can't cast the value of message attribute '${name}' to a number.`);
      checkContents(v.StringValue);
      out[name] = { DataType: type, StringValue: v.StringValue };
    }
  }
  return out;
}

/** Bytes the attributes count towards the message size, as SQS counts them: name, type and value. */
export function attributesSize(attributes: Record<string, AttributeValue>): number {
  let size = 0;
  for (const [name, v] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(v.DataType);
    size += v.BinaryValue !== undefined ? Buffer.from(v.BinaryValue, "base64").length : Buffer.byteLength(v.StringValue ?? "");
  }
  return size;
}

const USER = "m:";
const SYSTEM = "s:";

/** Both maps as the engine's message attributes. */
export function toEngine(user: Record<string, AttributeValue>, system: Record<string, AttributeValue>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  const put = (prefix: string, map: Record<string, AttributeValue>) => {
    for (const [name, v] of Object.entries(map)) out[prefix + name] = JSON.stringify(v.BinaryValue !== undefined ? { t: v.DataType, b: v.BinaryValue } : { t: v.DataType, s: v.StringValue });
  };
  put(USER, user);
  put(SYSTEM, system);
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The engine's message attributes back as SQS's two maps (attributes of other origins are not SQS's: skipped). */
export function fromEngine(attributes: Record<string, string> | undefined): { user: Record<string, AttributeValue>; system: Record<string, AttributeValue> } {
  const user: Record<string, AttributeValue> = {};
  const system: Record<string, AttributeValue> = {};
  for (const [key, json] of Object.entries(attributes ?? {})) {
    const map = key.startsWith(USER) ? user : key.startsWith(SYSTEM) ? system : null;
    if (!map) continue;
    try {
      const v = JSON.parse(json) as { t: string; s?: string; b?: string };
      map[key.slice(2)] = v.b !== undefined ? { DataType: v.t, BinaryValue: v.b } : { DataType: v.t, StringValue: v.s ?? "" };
    } catch {
      // not written by this port: not an SQS attribute
    }
  }
  return { user, system };
}

/** MessageAttributeNames: "All", ".*", "prefix.*" or exact names → the attributes to return. */
export function selectAttributes(all: Record<string, AttributeValue>, names: string[]): Record<string, AttributeValue> {
  if (names.length === 0) return {};
  const wanted = (name: string) =>
    names.some((n) => n === "All" || n === ".*" || n === name || (n.endsWith(".*") && name.startsWith(n.slice(0, -1))));
  return Object.fromEntries(Object.entries(all).filter(([name]) => wanted(name)));
}
