// The shape of an action: its parameters (params.ts) in, the JSON protocol's reply object out
// (reply-xml.ts turns the same object into the query protocol's XML).
import type { ActionContext } from "../context.js";
import { invalid } from "../errors.js";
import { integer, optionalString, type Params } from "../params.js";

export type Action = (ctx: ActionContext, p: Params) => Promise<Record<string, unknown>>;

/**
 * One page of a sorted list (ListQueues, ListDeadLetterSourceQueues): MaxResults (1-1000) items
 * after NextToken; NextToken is given back only when MaxResults was and more remain, as SQS does.
 * Without MaxResults, up to 1000.
 */
export function page(items: string[], p: Params): { items: string[]; nextToken?: string } {
  const max = p.MaxResults === undefined ? undefined : integer(p, "MaxResults", 1, 1000);
  const token = optionalString(p, "NextToken");
  let from = 0;
  if (token) {
    const after = Buffer.from(token, "base64url").toString("utf8");
    if (!after) throw invalid("NextToken", token, "Invalid NextToken value.");
    from = items.findIndex((x) => x > after);
    if (from < 0) from = items.length;
  }
  const taken = items.slice(from, from + (max ?? 1000));
  const more = max !== undefined && from + taken.length < items.length;
  return more ? { items: taken, nextToken: Buffer.from(taken.at(-1)!, "utf8").toString("base64url") } : { items: taken };
}
