// The message move tasks: StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask, on
// top of tinyqs's redrive (docs/operations.md). tinyqs moves the messages before the Start call
// answers (100 per step, idempotent hand-off: nothing lost or doubled if cut short), so a task is
// COMPLETED (or FAILED) by the time its handle is returned, and there is never one to cancel. The
// last 10 tasks of a source queue are kept in its records (queueMeta), as SQS lists them.
import { randomUUID } from "node:crypto";
import type { ActionContext } from "../context.js";
import { SqsError, toSqsError } from "../errors.js";
import { queueArn, queueOfArn } from "../names.js";
import { integer, optionalString, requiredString, type Params } from "../params.js";
import type { Action } from "./action.js";

/** The queue record holding a source queue's tasks, newest first (JSON). */
const TASKS = "MessageMoveTasks";
/** How many tasks ListMessageMoveTasks can show: SQS keeps the 10 most recent. */
const KEPT = 10;

interface MoveTask {
  TaskHandle: string;
  Status: "COMPLETED" | "FAILED";
  SourceArn: string;
  DestinationArn?: string;
  MaxNumberOfMessagesPerSecond?: number;
  ApproximateNumberOfMessagesMoved: number;
  ApproximateNumberOfMessagesToMove: number;
  FailureReason?: string;
  StartedTimestamp: number;
}

const notFound = (what: string) => new SqsError("ResourceNotFoundException", what);

/** A queue named by an ARN of this port, that exists. */
async function queueOfExistingArn(ctx: ActionContext, name: string, arn: string): Promise<string> {
  const queue = queueOfArn(ctx.naming, arn);
  if (queue === undefined || !(await ctx.queues.exists(queue))) throw notFound(`The resource that you specified for the ${name} parameter doesn't exist.`);
  return queue;
}

async function tasksOf(ctx: ActionContext, queue: string): Promise<MoveTask[]> {
  const stored = (await ctx.engine.queueMeta(queue))[TASKS];
  return stored ? (JSON.parse(stored) as MoveTask[]) : [];
}

const startMessageMoveTask: Action = async (ctx, p) => {
  const source = await queueOfExistingArn(ctx, "SourceArn", requiredString(p, "SourceArn"));
  const destinationArn = optionalString(p, "DestinationArn");
  const to = destinationArn === undefined ? undefined : await queueOfExistingArn(ctx, "DestinationArn", destinationArn);
  // Accepted as SQS takes it (1-500); tinyqs moves as fast as its steps go (each one short for Redis).
  const rate = p.MaxNumberOfMessagesPerSecond === undefined ? undefined : integer(p, "MaxNumberOfMessagesPerSecond", 1, 500);
  const toMove = (await ctx.engine.stats(source)).ready;
  const task: MoveTask = {
    TaskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn: queueArn(ctx.naming, source) })).toString("base64"),
    Status: "COMPLETED",
    SourceArn: queueArn(ctx.naming, source),
    ...(to !== undefined && { DestinationArn: queueArn(ctx.naming, to) }),
    ...(rate !== undefined && { MaxNumberOfMessagesPerSecond: rate }),
    ApproximateNumberOfMessagesMoved: 0,
    ApproximateNumberOfMessagesToMove: toMove,
    StartedTimestamp: Date.now(),
  };
  let failure: SqsError | undefined;
  try {
    task.ApproximateNumberOfMessagesMoved = await ctx.engine.redrive(source, { to });
  } catch (e) {
    failure = toSqsError(e, () => {});
    Object.assign(task, { Status: "FAILED", FailureReason: failure.message });
  }
  await ctx.engine.setQueueMeta(source, { [TASKS]: JSON.stringify([task, ...(await tasksOf(ctx, source))].slice(0, KEPT)) });
  ctx.queues.changed(source);
  // A source whose messages are no dead letters, without a destination, is refused as SQS refuses a non-DLQ source.
  if (failure && task.ApproximateNumberOfMessagesMoved === 0 && failure.code === "InvalidParameterValue") throw failure;
  return { TaskHandle: task.TaskHandle };
};

const listMessageMoveTasks: Action = async (ctx, p) => {
  const source = await queueOfExistingArn(ctx, "SourceArn", requiredString(p, "SourceArn"));
  const max = integer(p, "MaxResults", 1, KEPT, 1);
  // SQS gives the handle of running tasks only: none here.
  const Results = (await tasksOf(ctx, source)).slice(0, max).map(({ TaskHandle: _handle, ...task }) => task);
  return { Results };
};

const cancelMessageMoveTask: Action = async (_ctx, p: Params) => {
  requiredString(p, "TaskHandle");
  throw notFound("No running task has this handle: tinyqs completes a message move task before StartMessageMoveTask answers, so there is nothing to cancel.");
};

export const MOVE_TASK_ACTIONS: Record<string, Action> = {
  StartMessageMoveTask: startMessageMoveTask,
  ListMessageMoveTasks: listMessageMoveTasks,
  CancelMessageMoveTask: cancelMessageMoveTask,
};
