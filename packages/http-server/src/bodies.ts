// Message bodies inside JSON (REST batches, WebSocket frames): a string in UTF-8 or base64.
import { TinyQSError } from "@tinyqs/core";

// Standard or URL-safe alphabet, padding optional; Buffer.from(…, "base64") alone would silently
// skip any other character and store something the sender did not mean.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

export function decodeBody(body: unknown, encoding: unknown, where: string): Buffer {
  if (typeof body !== "string") throw new TinyQSError("BAD_ARGUMENT", `${where}.body must be a string`);
  if (encoding === "utf8") return Buffer.from(body, "utf8");
  if (encoding === "base64") {
    if (!BASE64.test(body) || body.replace(/=+$/, "").length % 4 === 1) {
      throw new TinyQSError("BAD_ARGUMENT", `${where}.body is not valid base64`);
    }
    return Buffer.from(body, "base64");
  }
  throw new TinyQSError("BAD_ARGUMENT", `${where}.encoding must be "utf8" or "base64", got ${JSON.stringify(encoding)}`);
}
