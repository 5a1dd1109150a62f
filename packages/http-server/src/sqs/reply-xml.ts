// The query protocol's replies: `<<Action>Response><<Action>Result>…</…Result><ResponseMetadata>…`,
// written from the same reply object the JSON protocol sends. Lists and maps are flattened, under
// the member names of the SQS service model (a Messages list is a run of <Message>, an Attributes
// map a run of <Attribute><Name/><Value/></Attribute>); errors are <ErrorResponse>.
import type { SqsError } from "./errors.js";

const XMLNS = "http://queue.amazonaws.com/doc/2012-11-05/";

/** Flattened lists: field → element of each member. */
const LIST_MEMBERS: Record<string, string> = {
  QueueUrls: "QueueUrl",
  queueUrls: "QueueUrl",
  Messages: "Message",
  Failed: "BatchResultErrorEntry",
};

/** Flattened maps: field → [entry element, key element, value element]. */
const MAP_ENTRIES: Record<string, [string, string, string]> = {
  Attributes: ["Attribute", "Name", "Value"],
  MessageAttributes: ["MessageAttribute", "Name", "Value"],
  Tags: ["Tag", "Key", "Value"],
};

/** Text as XML keeps it: markup escaped, and CR (which XML parsers turn into LF) as a reference. */
function escape(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\r": "&#xD;" })[c]!);
}

function element(name: string, value: unknown, action: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "object") return `<${name}>${escape(String(value))}</${name}>`;
  return `<${name}>${fields(value as Record<string, unknown>, action)}</${name}>`;
}

function fields(obj: Record<string, unknown>, action: string): string {
  let out = "";
  for (const [field, value] of Object.entries(obj)) {
    if (Array.isArray(value)) {
      // A batch's successes are <<Action>ResultEntry>: SendMessageBatchResultEntry, …
      const member = field === "Successful" ? `${action}ResultEntry` : (LIST_MEMBERS[field] ?? field);
      out += value.map((v) => element(member, v, action)).join("");
    } else if (MAP_ENTRIES[field] && value && typeof value === "object") {
      const [entry, key, val] = MAP_ENTRIES[field];
      out += Object.entries(value).map(([k, v]) => `<${entry}>${element(key, k, action)}${element(val, v, action)}</${entry}>`).join("");
    } else {
      out += element(field, value, action);
    }
  }
  return out;
}

export function xmlReply(action: string, reply: Record<string, unknown>, requestId: string): string {
  const result = Object.keys(reply).length > 0 ? `<${action}Result>${fields(reply, action)}</${action}Result>` : "";
  return `<?xml version="1.0"?><${action}Response xmlns="${XMLNS}">${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

export function xmlError(err: SqsError, requestId: string): string {
  return (
    `<?xml version="1.0"?><ErrorResponse xmlns="${XMLNS}"><Error><Type>${err.fault}</Type><Code>${escape(err.queryCode)}</Code>` +
    `<Message>${escape(err.message)}</Message><Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
