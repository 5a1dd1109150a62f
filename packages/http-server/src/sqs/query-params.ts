// The query protocol's parameters (form-encoded `Action=…&Attribute.1.Name=…`, in the body or the
// URL) rebuilt into the JSON protocol's shape, so every action reads one shape (params.ts).
// Lists and maps are "flattened" in this protocol: a list member is `<Member>.<n>`, a map entry is
// `<Entry>.<n>.<Key name>` + `<Entry>.<n>.<Value name>`, a batch entry `<Action>RequestEntry.<n>.<Field>`,
// each numbered from 1. The names come from the SQS service model (aws-sdk v2's query model).
import type { Params } from "./params.js";

/** Flattened lists of strings: member name → parameter. */
const LISTS: Record<string, string> = {
  AttributeName: "AttributeNames",
  MessageAttributeName: "MessageAttributeNames",
  MessageSystemAttributeName: "MessageSystemAttributeNames",
  TagKey: "TagKeys",
  AWSAccountId: "AWSAccountIds",
  ActionName: "Actions",
};

/** Flattened maps: entry name → [parameter, key name, value name]. */
const MAPS: Record<string, [string, string, string]> = {
  Attribute: ["Attributes", "Name", "Value"],
  MessageAttribute: ["MessageAttributes", "Name", "Value"],
  MessageSystemAttribute: ["MessageSystemAttributes", "Name", "Value"],
  Tag: ["Tags", "Key", "Value"],
};

type Pair = [segments: string[], value: string];

/** URLSearchParams (form body or query string) → the action's name and its parameters. */
export function fromQuery(form: URLSearchParams): { action: string | undefined; params: Params } {
  const pairs: Pair[] = [];
  for (const [key, value] of form) pairs.push([key.split("."), value]);
  const params = build(pairs);
  const action = typeof params.Action === "string" ? params.Action : undefined;
  delete params.Action;
  delete params.Version;
  return { action, params };
}

function build(pairs: Pair[]): Params {
  const out: Params = {};
  const groups = new Map<string, Pair[]>();
  for (const [segments, value] of pairs) {
    const [head, ...rest] = segments;
    if (head === undefined || head === "") continue;
    if (rest.length === 0) out[head] = value;
    else groups.set(head, [...(groups.get(head) ?? []), [rest, value]]);
  }
  for (const [head, rest] of groups) {
    const list = LISTS[head];
    const map = MAPS[head];
    if (list) {
      out[list] = numbered(rest).map((item) => item.find(([s]) => s.length === 0)?.[1] ?? "");
    } else if (map) {
      const [name, keyName, valueName] = map;
      const entries: Record<string, unknown> = {};
      for (const item of numbered(rest)) {
        const entry = build(item);
        if (typeof entry[keyName] === "string") entries[entry[keyName] as string] = entry[valueName];
      }
      out[name] = entries;
    } else if (head.endsWith("RequestEntry")) {
      out.Entries = numbered(rest).map(build);
    } else {
      out[head] = build(rest);
    }
  }
  return out;
}

/** Pairs whose first segment is a member number (1, 2, …), grouped by it in number order. */
function numbered(pairs: Pair[]): Pair[][] {
  const byIndex = new Map<number, Pair[]>();
  for (const [[index, ...rest], value] of pairs) {
    const n = Number(index);
    if (!Number.isInteger(n)) continue;
    byIndex.set(n, [...(byIndex.get(n) ?? []), [rest, value]]);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, items]) => items);
}
