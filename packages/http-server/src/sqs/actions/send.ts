// SendMessage and SendMessageBatch: the body as the message's bytes (UTF-8), MessageAttributes
// beside it (the engine's message attributes), DelaySeconds (the queue's, unless the message gives
// its own) as the engine's delayMs.
import { isTinyQSError } from "@tinyqs/core";
import { queueOf, type ActionContext } from "../context.js";
import { SqsError, invalid } from "../errors.js";
import { md5Hex, md5OfAttributes } from "../md5.js";
import { attributesSize, checkContents, readAttributes, toEngine } from "../message-attributes.js";
import { integer, requiredString, type Params } from "../params.js";
import { recordedSeconds, type QueueView } from "../queue-attributes.js";
import type { Action } from "./action.js";
import { eachEntry, entriesOf } from "./batch.js";

/** SQS's limit on all the messages of one SendMessageBatch together. */
const MAX_BATCH_BYTES = 1024 * 1024;

interface Outgoing {
  send: () => Promise<Record<string, unknown>>;
}

/** Check one message (SendMessage's parameters or a batch entry) and prepare its send. */
function prepare(ctx: ActionContext, queue: string, view: QueueView, p: Params): Outgoing {
  const body = requiredString(p, "MessageBody");
  checkContents(body);
  if (p.MessageDeduplicationId !== undefined) throw invalid("MessageDeduplicationId", p.MessageDeduplicationId, "The request includes a parameter that is not valid for this queue type: MessageDeduplicationId is for FIFO queues, which tinyqs does not support.");
  const delaySeconds = integer(p, "DelaySeconds", 0, 900, recordedSeconds(view, "DelaySeconds"));
  const user = readAttributes(p, "MessageAttributes");
  const system = readAttributes(p, "MessageSystemAttributes");
  const size = Buffer.byteLength(body) + attributesSize(user) + attributesSize(system);
  const limit = view.config.maxMessageBytes;
  const tooLong = () => invalid("MessageBody", `${size} bytes`, `Message must be shorter than ${limit} bytes.`);
  if (size > limit) throw tooLong();
  return {
    send: async () => {
      let id: string;
      try {
        id = await ctx.engine.send(queue, body, { delayMs: delaySeconds * 1000, attributes: toEngine(user, system) });
      } catch (e) {
        // The engine counts the stored form (attributes framed with the body): a hair more than SQS counts.
        throw isTinyQSError(e) && e.code === "TOO_BIG" ? tooLong() : e;
      }
      const md5Attributes = md5OfAttributes(user);
      const md5System = md5OfAttributes(system);
      return {
        MessageId: id,
        MD5OfMessageBody: md5Hex(body),
        ...(md5Attributes && { MD5OfMessageAttributes: md5Attributes }),
        ...(md5System && { MD5OfMessageSystemAttributes: md5System }),
      };
    },
  };
}

const sendMessage: Action = async (ctx, p) => {
  const queue = queueOf(ctx, p);
  const view = await ctx.queues.existing(queue);
  return prepare(ctx, queue, view, p).send();
};

export function sendMessageBatch(unexpected: (e: unknown) => void): Action {
  return async (ctx, p) => {
    const queue = queueOf(ctx, p);
    const entries = entriesOf(p);
    const view = await ctx.queues.existing(queue);
    const total = entries.reduce((sum, e) => sum + (typeof e.MessageBody === "string" ? Buffer.byteLength(e.MessageBody) : 0), 0);
    if (total > MAX_BATCH_BYTES) throw new SqsError("BatchRequestTooLong", `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${total} bytes.`);
    return eachEntry(entries, (entry) => prepare(ctx, queue, view, entry).send(), unexpected);
  };
}

export const SEND_ACTIONS = { SendMessage: sendMessage };
