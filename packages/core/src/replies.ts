// The replies of request/response: respond stores them, wait collects them. A request itself is an
// ordinary message (put = send, take = receive, in engine.ts); what is particular is here. Responds
// and collects on one queue issued in the same tick are one script call each, like sends and deletes.
import { BATCH_BYTES, Coalescer, batchWeight } from "./coalescer.js";
import { fromRedisError, type Connection } from "./connection.js";
import { TinyQSError } from "./errors.js";
import { scriptKeys, type QueueKeys } from "./keys.js";
import { DEFAULTS } from "./defaults.js";
import { LUA_CODES } from "./lua-codes.js";
import type { Waiters } from "./waiters.js";

interface Reply {
  receipt: string;
  body: Buffer;
}

/** A reply taken by collect-2.lua, with its expiry time, in case it must be put back. */
interface Collected {
  reply: Buffer;
  expiresAt: number;
}

interface QueueReplies {
  respond: Coalescer<Reply, string>;
  collect: Coalescer<string, Collected | null>;
}

export interface RepliesContext {
  waiters: Waiters;
  /** Runs the Lua scripts (bounded wait for Redis, errors as TinyQSErrors). */
  conn: Connection;
  isClosed(): boolean;
}

export class Replies {
  private readonly queues = new Map<string, QueueReplies>();

  constructor(private readonly ctx: RepliesContext) {}

  /** Store the reply and delete the request, if `receipt` is the current reservation. */
  async respond(keys: QueueKeys, receipt: string, reply: Buffer): Promise<boolean> {
    if (receipt.indexOf(".") <= 0) return false; // an id, not a receipt: never a current reservation
    const outcome = await this.of(keys).respond.add({ receipt, body: reply });
    if (outcome === LUA_CODES.respond.TOO_BIG) throw new TinyQSError("TOO_BIG", "the reply is larger than the queue's maxMessageBytes");
    if (outcome === LUA_CODES.respond.FULL) throw new TinyQSError("FULL", "Redis is full (maxmemory reached) and the reply is larger than its request: nothing was stored");
    return outcome === LUA_CODES.respond.REPLIED;
  }

  /** The reply to request `id` of `queue`, once, waiting up to `timeoutMs`; null when none came. */
  async wait(queue: string, keys: QueueKeys, id: string, timeoutMs: number, signal?: AbortSignal): Promise<Buffer | null> {
    if (signal?.aborted) return null;
    const { waiters } = this.ctx;
    const deadline = Date.now() + timeoutMs;
    const look = async () => this.handOver(keys, id, await this.of(keys).collect.add(id), signal);

    // Not listening to the queue's replies yet: look first, so that a reply already there (or Redis
    // being down) answers at once, before the subscription.
    if (timeoutMs === 0 || !waiters.listeningForReplies(queue)) {
      const reply = await look();
      if (reply || timeoutMs === 0 || signal?.aborted) return reply;
    }
    if (deadline - Date.now() <= 0) return look(); // the first look took all the time there was
    const expectation = await waiters.expectReply(queue, id, deadline - Date.now(), signal).catch((err: unknown) => {
      throw fromRedisError(err);
    });
    if (!expectation) return signal?.aborted || this.ctx.isClosed() ? null : look(); // could not listen in time
    try {
      // Look once listening, then whenever the reply is announced (or the subscriber reconnected);
      // and a last time when the time is up, in case an announcement was lost.
      expectation.fired = true;
      for (;;) {
        if (this.ctx.isClosed() || signal?.aborted) return null;
        if (expectation.fired) {
          expectation.fired = false;
          const reply = await look();
          if (reply || signal?.aborted) return reply;
        }
        const left = deadline - Date.now();
        if (left <= 0) return this.ctx.isClosed() ? null : look();
        if (!expectation.fired) await expectation.next(left, signal);
      }
    } finally {
      expectation.release();
    }
  }

  private of(keys: QueueKeys): QueueReplies {
    let q = this.queues.get(keys.replies);
    if (!q) {
      q = {
        respond: new Coalescer((replies) => this.flushResponds(keys, replies), {
          maxWeight: BATCH_BYTES,
          weigh: (r) => batchWeight([r.body]),
        }),
        collect: new Coalescer((ids) => this.flushCollects(keys, ids)),
      };
      this.queues.set(keys.replies, q);
    }
    return q;
  }

  private async flushResponds(keys: QueueKeys, replies: Reply[]): Promise<string[]> {
    const outcomes = (await this.ctx.conn.run(
      "respond",
      scriptKeys.respond(keys),
      [keys.replied, DEFAULTS.replyTtlMs, DEFAULTS.maxMessageBytes, ...replies.flatMap((r) => [r.receipt, r.body])],
    )) as string;
    return [...outcomes];
  }

  private async flushCollects(keys: QueueKeys, ids: string[]): Promise<Array<Collected | null>> {
    const flat = (await this.ctx.conn.run("collect", scriptKeys.collect(keys), ids, true)) as Array<Buffer | number | null>;
    return ids.map((_, i) => {
      const reply = flat[2 * i] as Buffer | null;
      return reply ? { reply, expiresAt: Number(flat[2 * i + 1]) } : null;
    });
  }

  /** A collected reply goes to its waiter if still there; if it left at that instant, the reply goes back. */
  private async handOver(keys: QueueKeys, id: string, collected: Collected | null, signal?: AbortSignal): Promise<Buffer | null> {
    if (!collected || !signal?.aborted) return collected?.reply ?? null;
    try {
      await this.ctx.conn.run("restore-reply", scriptKeys["restore-reply"](keys), [id, collected.reply, collected.expiresAt, keys.replied]);
    } catch (err) {
      // The engine closed meanwhile: the reply is lost with it (the waiter had left anyway).
      if (!this.ctx.isClosed()) throw err;
    }
    return null;
  }
}
