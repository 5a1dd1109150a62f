// The digests SQS puts in its replies and the SDKs check: MD5OfMessageBody (of the body's UTF-8
// bytes) and MD5OfMessageAttributes / MD5OfMessageSystemAttributes, computed as AWS documents it:
// attributes sorted by name, each as length-prefixed (4 bytes, big-endian) name, data type, then a
// transport byte (1 for String and Number types, 2 for Binary) and the length-prefixed value.
import { createHash } from "node:crypto";

/** An SQS message attribute value as the JSON protocol carries it (BinaryValue in base64). */
export interface AttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export function md5Hex(data: string | Buffer): string {
  return createHash("md5").update(data).digest("hex");
}

/** MD5OfMessageAttributes of these attributes; undefined for none (SQS then leaves the field out). */
export function md5OfAttributes(attributes: Record<string, AttributeValue>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash("md5");
  const lengthPrefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length).update(bytes);
  };
  for (const name of names) {
    const value = attributes[name]!;
    lengthPrefixed(Buffer.from(name, "utf8"));
    lengthPrefixed(Buffer.from(value.DataType, "utf8"));
    if (value.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      lengthPrefixed(Buffer.from(value.BinaryValue, "base64"));
    } else {
      hash.update(Buffer.from([1]));
      lengthPrefixed(Buffer.from(value.StringValue ?? "", "utf8"));
    }
  }
  return hash.digest("hex");
}
