// What every action gets: the engine, this port's account and region, the queue lookups (with a
// short cache, so a send does not cost three Redis round trips), and the request's own details.
import type { TinyQS } from "@tinyqs/core";
import { noSuchQueue } from "./errors.js";
import { queueOfUrl, queueUrl, type Naming } from "./names.js";
import { requiredString, type Params } from "./params.js";
import type { QueueView } from "./queue-attributes.js";

/** The engine calls the SQS port makes: the TinyQSApi and the engine's queue records. */
export type SqsEngine = Pick<
  TinyQS,
  | "send" | "receiveBatch" | "delete" | "touch" | "release" | "configure" | "getConfig" | "stats" | "queues" | "purge" | "redrive"
  | "queueExists" | "deleteQueue" | "queueMeta" | "setQueueMeta" | "deleteQueueMeta" | "firstReceived" | "forgetFirstReceived"
>;

/**
 * How long what this port read of a queue (that it exists, its settings and records) is used
 * before being read again. Changes made through this port apply at once; changes made elsewhere
 * (TCP QCONFIG, another server) within this long.
 */
const VIEW_TTL_MS = 1000;

export class SqsQueues {
  private readonly views = new Map<string, { at: number; view: Promise<QueueView | null> }>();

  constructor(readonly engine: SqsEngine) {}

  /** The queue's settings and records; null if it does not exist. */
  view(queue: string): Promise<QueueView | null> {
    const hit = this.views.get(queue);
    if (hit && Date.now() - hit.at < VIEW_TTL_MS) return hit.view;
    const view = this.read(queue);
    this.views.set(queue, { at: Date.now(), view });
    view.catch(() => this.views.delete(queue));
    if (this.views.size > 10_000) this.views.clear(); // bounded: a cache, not a registry
    return view;
  }

  /** The view of a queue that must exist (QueueDoesNotExist otherwise). */
  async existing(queue: string): Promise<QueueView> {
    const view = await this.view(queue);
    if (!view) throw noSuchQueue();
    return view;
  }

  async exists(queue: string): Promise<boolean> {
    return (await this.view(queue)) !== null;
  }

  /** This port changed the queue: read it afresh next time. */
  changed(queue: string): void {
    this.views.delete(queue);
  }

  private async read(queue: string): Promise<QueueView | null> {
    if (!(await this.engine.queueExists(queue))) return null;
    const [config, meta] = await Promise.all([this.engine.getConfig(queue), this.engine.queueMeta(queue)]);
    return { config, meta };
  }
}

export interface ActionContext {
  engine: SqsEngine;
  queues: SqsQueues;
  naming: Naming;
  /** `http://host:port` as the client reached this port: the start of every queue URL. */
  origin: string;
  /** Aborts when the client goes away or the server shuts down (long polls end). */
  signal: AbortSignal;
  /** The queue the request is sent to when it has no QueueUrl (old clients post to the queue's URL). */
  pathQueueUrl: string | undefined;
}

/** The queue an action names by its QueueUrl (or, without one, by the URL it was posted to). */
export function queueOf(ctx: ActionContext, p: Params): string {
  const url = p.QueueUrl === undefined && ctx.pathQueueUrl ? ctx.pathQueueUrl : requiredString(p, "QueueUrl");
  return queueOfUrl(ctx.naming, url);
}

export const urlOf = (ctx: ActionContext, queue: string) => queueUrl(ctx.origin, ctx.naming, queue);
