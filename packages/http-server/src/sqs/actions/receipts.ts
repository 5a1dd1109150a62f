// Acting on a delivery by its receipt handle — which is tinyqs's receipt `<id>.<n>` (n: the delivery number),
// fencing included: DeleteMessage, DeleteMessageBatch, ChangeMessageVisibility(Batch).
//   DeleteMessage with a stale handle (the message was received again since, or is gone) succeeds
//   without deleting anything, as SQS documents; ChangeMessageVisibility with one is
//   ReceiptHandleIsInvalid. A VisibilityTimeout of 0 releases the message at once.
import { queueOf, type ActionContext } from "../context.js";
import { SqsError } from "../errors.js";
import { integer, requiredString, type Params } from "../params.js";
import { FIRST_RECEIVES_NOTED, type QueueView } from "../queue-attributes.js";
import type { Action } from "./action.js";
import { eachEntry, entriesOf } from "./batch.js";

const RECEIPT = /^\d+-\d+\.\d+$/;

function receiptOf(p: Params): string {
  const handle = requiredString(p, "ReceiptHandle");
  if (!RECEIPT.test(handle)) throw new SqsError("ReceiptHandleIsInvalid", `The input receipt handle "${handle}" is not a valid receipt handle.`);
  return handle;
}

async function deleteOne(ctx: ActionContext, queue: string, view: QueueView, p: Params): Promise<Record<string, unknown>> {
  const receipt = receiptOf(p);
  if ((await ctx.engine.delete(queue, receipt)) && view.meta[FIRST_RECEIVES_NOTED]) {
    const id = receipt.slice(0, receipt.indexOf("."));
    // Its first-receive time goes too; if this fails, one small entry stays until the next purge.
    void ctx.engine.forgetFirstReceived(queue, [id]).catch(() => {});
  }
  return {};
}

async function changeOne(ctx: ActionContext, queue: string, _view: QueueView, p: Params): Promise<Record<string, unknown>> {
  const receipt = receiptOf(p);
  const seconds = integer(p, "VisibilityTimeout", 0, 43_200);
  const done = seconds === 0 ? await ctx.engine.release(queue, receipt) : await ctx.engine.touch(queue, receipt, { visibilityMs: seconds * 1000 });
  if (!done) throw new SqsError("ReceiptHandleIsInvalid", `The receipt handle "${receipt}" is not the message's current one: it was received again since, its visibility timeout ran out, or it was deleted.`);
  return {};
}

export function receiptActions(unexpected: (e: unknown) => void): Record<string, Action> {
  const batch = (one: typeof deleteOne): Action => async (ctx, p) => {
    const queue = queueOf(ctx, p);
    const entries = entriesOf(p);
    const view = await ctx.queues.existing(queue);
    return eachEntry(entries, (entry) => one(ctx, queue, view, entry), unexpected);
  };
  const single = (one: typeof deleteOne): Action => async (ctx, p) => {
    const queue = queueOf(ctx, p);
    return one(ctx, queue, await ctx.queues.existing(queue), p);
  };
  return {
    DeleteMessage: single(deleteOne),
    DeleteMessageBatch: batch(deleteOne),
    ChangeMessageVisibility: single(changeOne),
    ChangeMessageVisibilityBatch: batch(changeOne),
  };
}
