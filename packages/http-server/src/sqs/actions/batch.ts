// What the batch actions share: SQS's rules for the entries (1-10, ids distinct, 1-80 of
// A-Z a-z 0-9 - _) and the reply of per-entry successes and failures.
import { SqsError, toSqsError } from "../errors.js";
import { objectList, type Params } from "../params.js";

const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
export const MAX_ENTRIES = 10;

export function entriesOf(p: Params): Params[] {
  const entries = objectList(p, "Entries");
  if (entries.length === 0) throw new SqsError("EmptyBatchRequest", "There should be at least one entry in the request.");
  if (entries.length > MAX_ENTRIES) throw new SqsError("TooManyEntriesInBatchRequest", `Maximum number of entries per request are ${MAX_ENTRIES}. You have sent ${entries.length}.`);
  const ids = new Set<string>();
  for (const e of entries) {
    const id = e.Id;
    if (typeof id !== "string" || !ENTRY_ID.test(id)) {
      throw new SqsError("InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.");
    }
    if (ids.has(id)) throw new SqsError("BatchEntryIdsNotDistinct", `Id ${id} repeated.`);
    ids.add(id);
  }
  return entries;
}

/** Run `one` on every entry side by side; each failure becomes that entry's Failed row. */
export async function eachEntry(
  entries: Params[],
  one: (entry: Params) => Promise<Record<string, unknown>>,
  unexpected: (e: unknown) => void,
): Promise<Record<string, unknown>> {
  const results = await Promise.all(
    entries.map(async (entry) => {
      try {
        return { ok: { Id: entry.Id, ...(await one(entry)) } };
      } catch (e) {
        const err = toSqsError(e, unexpected);
        return { failed: { Id: entry.Id, SenderFault: err.fault === "Sender", Code: err.queryCode, Message: err.message } };
      }
    }),
  );
  return {
    Successful: results.flatMap((r) => (r.ok ? [r.ok] : [])),
    Failed: results.flatMap((r) => (r.failed ? [r.failed] : [])),
  };
}
