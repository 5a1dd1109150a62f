// Queue actions: CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, GetQueueAttributes,
// SetQueueAttributes, PurgeQueue, ListDeadLetterSourceQueues.
import { queueOf, urlOf, type ActionContext } from "../context.js";
import { SqsError } from "../errors.js";
import { checkExistingName, checkNewQueueName } from "../names.js";
import { optionalString, requiredString, stringList, stringMap, type Params } from "../params.js";
import { checkNames, needsStats, readChanges, showAttributes, type AttributeChanges } from "../queue-attributes.js";
import { page, type Action } from "./action.js";

const nowSeconds = () => String(Math.floor(Date.now() / 1000));

async function changesOf(ctx: ActionContext, queue: string, attributes: Record<string, string>): Promise<AttributeChanges> {
  return readChanges(queue, attributes, ctx.naming, (name) => ctx.queues.exists(name));
}

async function apply(ctx: ActionContext, queue: string, changes: AttributeChanges, created: string | null): Promise<void> {
  if (Object.keys(changes.config).length > 0) await ctx.engine.configure(queue, changes.config);
  const stamp = nowSeconds();
  if (created) await ctx.engine.setQueueMeta(queue, { CreatedTimestamp: created }, { onlyNew: true });
  await ctx.engine.setQueueMeta(queue, { ...changes.meta, LastModifiedTimestamp: stamp });
  await ctx.engine.deleteQueueMeta(queue, changes.unset);
  ctx.queues.changed(queue);
}

const createQueue: Action = async (ctx, p) => {
  const queue = checkNewQueueName(requiredString(p, "QueueName"));
  const attributes = stringMap(p, "Attributes");
  const changes = await changesOf(ctx, queue, attributes);
  const existing = await ctx.queues.view(queue);
  if (existing) {
    // Idempotent for equal attributes, as SQS is; a queue made through TCP or HTTP counts as existing.
    const current = showAttributes(queue, existing, null, ctx.naming, Object.keys(changes.shown));
    for (const [name, value] of Object.entries(changes.shown)) {
      if ((current[name] ?? "") !== value) {
        throw new SqsError("QueueNameExists", `A queue already exists with the same name and a different value for attribute ${name}`);
      }
    }
    if (!existing.meta.CreatedTimestamp) await ctx.engine.setQueueMeta(queue, { CreatedTimestamp: nowSeconds() }, { onlyNew: true });
  } else {
    await apply(ctx, queue, changes, nowSeconds());
  }
  await tag(ctx, queue, stringMap(p, p.tags !== undefined ? "tags" : "Tags"));
  return { QueueUrl: urlOf(ctx, queue) };
};

const getQueueUrl: Action = async (ctx, p) => {
  const queue = checkExistingName(requiredString(p, "QueueName"));
  const owner = optionalString(p, "QueueOwnerAWSAccountId");
  if (owner !== undefined && owner !== ctx.naming.account) throw new SqsError("QueueDoesNotExist", "The specified queue does not exist.");
  await ctx.queues.existing(queue);
  return { QueueUrl: urlOf(ctx, queue) };
};

const listQueues: Action = async (ctx, p) => {
  const prefix = optionalString(p, "QueueNamePrefix") ?? "";
  const names = (await ctx.engine.queues()).filter((q) => q.startsWith(prefix));
  const { items, nextToken } = page(names, p);
  return { ...(items.length > 0 && { QueueUrls: items.map((q) => urlOf(ctx, q)) }), ...(nextToken && { NextToken: nextToken }) };
};

const deleteQueue: Action = async (ctx, p) => {
  const queue = queueOf(ctx, p);
  await ctx.queues.existing(queue);
  await ctx.engine.deleteQueue(queue);
  ctx.queues.changed(queue);
  return {};
};

const getQueueAttributes: Action = async (ctx, p) => {
  const queue = queueOf(ctx, p);
  const names = checkNames(stringList(p, "AttributeNames"));
  const view = await ctx.queues.existing(queue);
  const stats = needsStats(names) ? await ctx.engine.stats(queue) : null;
  const attributes = showAttributes(queue, view, stats, ctx.naming, names);
  return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
};

const setQueueAttributes: Action = async (ctx, p) => {
  const queue = queueOf(ctx, p);
  await ctx.queues.existing(queue);
  const changes = await changesOf(ctx, queue, stringMap(p, "Attributes"));
  await apply(ctx, queue, changes, null);
  return {};
};

const purgeQueue: Action = async (ctx, p) => {
  const queue = queueOf(ctx, p);
  await ctx.queues.existing(queue);
  await ctx.engine.purge(queue);
  await ctx.engine.forgetFirstReceived(queue);
  return {};
};

const listDeadLetterSourceQueues: Action = async (ctx, p) => {
  const queue = queueOf(ctx, p);
  await ctx.queues.existing(queue);
  const sources: string[] = [];
  for (const name of await ctx.engine.queues()) {
    const config = await ctx.engine.getConfig(name);
    if (config.maxReceives > 0 && config.deadLetterQueue === queue) sources.push(name);
  }
  const { items, nextToken } = page(sources, p);
  return { queueUrls: items.map((q) => urlOf(ctx, q)), ...(nextToken && { NextToken: nextToken }) };
};

// ---- tags: kept as the queue's records `tag:<key>` -----------------------------------------------

const TAG = "tag:";

async function tag(ctx: ActionContext, queue: string, tags: Record<string, string>): Promise<void> {
  const fields = Object.fromEntries(Object.entries(tags).map(([k, v]) => [TAG + k, v]));
  if (Object.keys(fields).length > 0) await ctx.engine.setQueueMeta(queue, fields);
  ctx.queues.changed(queue);
}

const tagQueue: Action = async (ctx, p) => {
  const queue = queueOf(ctx, p);
  await ctx.queues.existing(queue);
  await tag(ctx, queue, stringMap(p, "Tags"));
  return {};
};

const untagQueue: Action = async (ctx, p) => {
  const queue = queueOf(ctx, p);
  await ctx.queues.existing(queue);
  await ctx.engine.deleteQueueMeta(queue, stringList(p, "TagKeys").map((k) => TAG + k));
  ctx.queues.changed(queue);
  return {};
};

const listQueueTags: Action = async (ctx, p) => {
  const queue = queueOf(ctx, p);
  const { meta } = await ctx.queues.existing(queue);
  const tags = Object.fromEntries(Object.entries(meta).filter(([k]) => k.startsWith(TAG)).map(([k, v]) => [k.slice(TAG.length), v]));
  return Object.keys(tags).length > 0 ? { Tags: tags } : {};
};

export const QUEUE_ACTIONS: Record<string, Action> = {
  CreateQueue: createQueue,
  GetQueueUrl: getQueueUrl,
  ListQueues: listQueues,
  DeleteQueue: deleteQueue,
  GetQueueAttributes: getQueueAttributes,
  SetQueueAttributes: setQueueAttributes,
  PurgeQueue: purgeQueue,
  ListDeadLetterSourceQueues: listDeadLetterSourceQueues,
  TagQueue: tagQueue,
  UntagQueue: untagQueue,
  ListQueueTags: listQueueTags,
};

