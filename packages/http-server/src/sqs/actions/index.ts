// Every SQS action this port knows, by name. The ones tinyqs cannot do yet answer
// UnsupportedOperation, naming why (docs/sqs.md, "Actions").
import { SqsError } from "../errors.js";
import type { Action } from "./action.js";
import { MOVE_TASK_ACTIONS } from "./move-tasks.js";
import { QUEUE_ACTIONS } from "./queues.js";
import { receiptActions } from "./receipts.js";
import { RECEIVE_ACTIONS } from "./receive.js";
import { SEND_ACTIONS, sendMessageBatch } from "./send.js";

const unsupported = (why: string): Action => async () => {
  throw new SqsError("UnsupportedOperation", why);
};

export function actionTable(unexpected: (e: unknown) => void): Record<string, Action> {
  return {
    ...QUEUE_ACTIONS,
    ...SEND_ACTIONS,
    SendMessageBatch: sendMessageBatch(unexpected),
    ...RECEIVE_ACTIONS,
    ...receiptActions(unexpected),
    ...MOVE_TASK_ACTIONS,
    AddPermission: unsupported("tinyqs has no IAM policies: access is one set of credentials for the whole port (--sqs-credentials)."),
    RemovePermission: unsupported("tinyqs has no IAM policies: access is one set of credentials for the whole port (--sqs-credentials)."),
  };
}

export type { Action };
