// The batch acknowledgements of the HTTP API and the WebSocket (deleteBatch, touchBatch): a list of
// receipts in, one result per item out, in the same order. Partial failure is per item, never all or
// nothing: `{ "ok": true }`, or `{ "ok": false, "error": { "code", "message" } }` with NOT_FOUND for
// an unknown id or a stale receipt and BAD_ARGUMENT for an item that is not a receipt at all.
import { LIMITS, isRef } from "../arguments.js";
import { TinyQSError } from "../errors.js";
import { errorJson, type ErrorJson } from "./errors.js";

export type ItemResult = { ok: true } | ({ ok: false } & ErrorJson);

/** The items of a batch acknowledgement, `{ "receipts": [ … ] }`: at most 1000, else BAD_ARGUMENT (nothing done). */
export function receiptsFromJson(json: unknown, what: string): unknown[] {
  const receipts = (json as { receipts?: unknown } | null)?.receipts;
  if (typeof json !== "object" || json === null || Array.isArray(json) || !Array.isArray(receipts)) {
    throw new TinyQSError("BAD_ARGUMENT", `${what} takes { "receipts": [ "<receipt>", … ] }`);
  }
  const extra = Object.keys(json).filter((k) => k !== "receipts");
  if (extra.length) throw new TinyQSError("BAD_ARGUMENT", `${what} takes no field ${JSON.stringify(extra[0])}`);
  if (receipts.length > LIMITS.maxBatch) throw new TinyQSError("BAD_ARGUMENT", `${what} takes at most ${LIMITS.maxBatch} receipts, got ${receipts.length}`);
  return receipts;
}

/** The engine's per-item booleans as results, each failure said in words. */
export function itemResults(items: readonly unknown[], done: readonly boolean[]): ItemResult[] {
  return items.map((item, i) => {
    if (done[i]) return { ok: true as const };
    if (!isRef(item)) return { ok: false as const, ...errorJson("BAD_ARGUMENT", `receipts[${i}] is not a receipt or an id: a non-empty string of at most 256 characters`) };
    return { ok: false as const, ...errorJson("NOT_FOUND", `receipts[${i}] is an unknown id, or a receipt whose delivery is over`) };
  });
}

/** Results back to the engine's booleans (the client), checked to be one per item. */
export function itemResultsFromJson(results: unknown, count: number): boolean[] {
  if (!Array.isArray(results) || results.length !== count) {
    throw new TinyQSError("INTERNAL", `expected ${count} results from the server, got ${JSON.stringify(results)?.slice(0, 80)}`);
  }
  return results.map((r) => (r as { ok?: unknown } | null)?.ok === true);
}
