// ReceiveMessage: the engine's receiveBatch (long polls included: a send from any protocol wakes
// it), each message with the system attributes and message attributes asked for.
import type { Message } from "@tinyqs/core";
import { queueOf, type ActionContext } from "../context.js";
import { md5Hex, md5OfAttributes, type AttributeValue } from "../md5.js";
import { fromEngine, selectAttributes } from "../message-attributes.js";
import { integer, optionalInteger, stringList } from "../params.js";
import { FIRST_RECEIVES_NOTED, recordedSeconds } from "../queue-attributes.js";
import type { Action } from "./action.js";

/** The system attributes a standard queue's message has (FIFO ones, asked for, are left out). */
const SYSTEM = ["SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp", "AWSTraceHeader"] as const;

const receiveMessage: Action = async (ctx, p) => {
  const queue = queueOf(ctx, p);
  const view = await ctx.queues.existing(queue);
  const max = integer(p, "MaxNumberOfMessages", 1, 10, 1);
  const waitSeconds = integer(p, "WaitTimeSeconds", 0, 20, recordedSeconds(view, "ReceiveMessageWaitTimeSeconds"));
  const visibility = optionalInteger(p, "VisibilityTimeout", 0, 43_200);
  // Both names are in use: AttributeNames (deprecated) and MessageSystemAttributeNames. Names this
  // port does not know (queue attribute names, FIFO ones) are ignored, as SQS ignores them.
  const asked = new Set([...stringList(p, "AttributeNames"), ...stringList(p, "MessageSystemAttributeNames")]);
  const system = asked.has("All") ? [...SYSTEM] : SYSTEM.filter((n) => asked.has(n));
  const attributeNames = stringList(p, "MessageAttributeNames");

  const messages = await ctx.engine.receiveBatch(queue, {
    max,
    waitMs: waitSeconds * 1000,
    // 0 s: visible again at once (the engine's shortest lease, 1 ms).
    visibilityMs: visibility === undefined ? undefined : Math.max(1, visibility * 1000),
    signal: ctx.signal,
  });
  if (messages.length === 0) return {};
  let firstReceived: number[] = [];
  if (system.includes("ApproximateFirstReceiveTimestamp")) {
    // Bookkeeping after the messages are reserved: if it fails (a full Redis refuses the write),
    // the messages are still handed out, without that attribute, rather than left reserved unseen.
    try {
      if (!view.meta[FIRST_RECEIVES_NOTED]) {
        await ctx.engine.setQueueMeta(queue, { [FIRST_RECEIVES_NOTED]: "1" }, { onlyNew: true });
        ctx.queues.changed(queue);
      }
      firstReceived = await ctx.engine.firstReceived(queue, messages.map((m) => m.id));
    } catch {
      firstReceived = [];
    }
  }
  return { Messages: messages.map((m, i) => toSqs(ctx, m, system, attributeNames, firstReceived[i])) };
};

function toSqs(ctx: ActionContext, m: Message, system: readonly string[], attributeNames: string[], firstReceivedAt: number | undefined): Record<string, unknown> {
  // SQS bodies are text: bytes sent another way that are not UTF-8 arrive with U+FFFD in their place.
  const body = m.body.toString("utf8");
  const { user, system: sent } = fromEngine(m.attributes);
  const attributes: Record<string, string> = {};
  for (const name of system) {
    const value = systemAttribute(ctx, m, name, sent, firstReceivedAt);
    if (value !== undefined) attributes[name] = value;
  }
  const messageAttributes = selectAttributes(user, attributeNames);
  const md5Attributes = md5OfAttributes(messageAttributes);
  return {
    MessageId: m.id,
    ReceiptHandle: m.receipt,
    MD5OfBody: md5Hex(body),
    Body: body,
    ...(Object.keys(attributes).length > 0 && { Attributes: attributes }),
    ...(md5Attributes && { MD5OfMessageAttributes: md5Attributes, MessageAttributes: messageAttributes }),
  };
}

function systemAttribute(ctx: ActionContext, m: Message, name: string, sent: Record<string, AttributeValue>, firstReceivedAt: number | undefined): string | undefined {
  switch (name) {
    case "SenderId": return ctx.naming.account;
    case "SentTimestamp": return String(m.sentAt);
    case "ApproximateReceiveCount": return String(m.receiveCount);
    case "ApproximateFirstReceiveTimestamp": return firstReceivedAt === undefined ? undefined : String(firstReceivedAt);
    case "AWSTraceHeader": return sent.AWSTraceHeader?.StringValue;
    default: return undefined;
  }
}

export const RECEIVE_ACTIONS = { ReceiveMessage: receiveMessage };

