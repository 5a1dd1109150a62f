// The embedded engine: every operation is one atomic Lua script on the keys of one queue. This file
// is the API (TinyQSApi): it checks the arguments (arguments.ts) and hands each operation to the part
// that does it: the merged sends, receives and deletes of a queue to queue-ops.ts, dead letters and
// the Cluster outbox to dead-letters.ts, request/response replies to replies.ts, long polls to
// waiters.ts, every Redis command to connection.ts.
import {
  checkBodies,
  checkBrowseOptions,
  checkConfigChanges,
  checkDedupId,
  checkDedupIds,
  checkDelayMs,
  checkIdOrReceipt,
  checkMax,
  checkReceipt,
  checkRefs,
  checkReplyTimeoutMs,
  isRef,
  checkVisibilityMs,
  checkWaitMs,
  LIMITS,
  checkInt,
  checkQueueName,
  checkRedriveOptions,
  QUEUE_NAME,
  toBuffer,
} from "./arguments.js";
import { browse } from "./browse.js";
import { bodyWeight } from "./coalescer.js";
import { Connection, fromRedisError, type RedisInput } from "./connection.js";
import { DeadLetters } from "./dead-letters.js";
import { checkDurability, type DurabilityOptions } from "./durability.js";
import { DEFAULTS } from "./defaults.js";
import { TinyQSError } from "./errors.js";
import { KeySpace, scriptKeys, type QueueKeys } from "./keys.js";
import { LUA_CODES } from "./lua-codes.js";
import { checkAttributes, storedBytes, storedValue } from "./message-attributes.js";
import { createQueueOps, peekOnce, type Attempt, type QueueOps } from "./queue-ops.js";
import { QueueRecords } from "./queue-records.js";
import { Replies } from "./replies.js";
import { parseReplyHandle, replyHandle, replyTimedOut, requestAbandoned } from "./reply-handle.js";
import type {
  Body, BrowsedMessage, BrowseOptions, EngineSendOptions, Message, QueueConfig, QueueSettings, QueueStats, ReceiveBatchOptions, ReceiveOptions,
  RedriveOptions, ReleaseOptions, ReplyWaitOptions, SendBatchOptions, TinyQSApi, TouchOptions, WaitOptions,
} from "./types.js";
import { Waiters } from "./waiters.js";
import { createWorker, type Handler, type Worker, type WorkerOptions } from "./worker.js";

export interface TinyQSOptions {
  /** A redis:// URL, ioredis options, an ioredis Redis or Cluster, or `{ cluster: ['host:port', …] }`. Default redis://127.0.0.1:6379. */
  redis?: RedisInput;
  /** First part of every key (default "tinyqs"). */
  prefix?: string;
  /** How long an operation waits for an unreachable Redis before failing with UNAVAILABLE (default DEFAULTS.redisTimeoutMs, 5000 ms). */
  timeoutMs?: number;
  /**
   * Accept a Redis whose maxmemory-policy evicts keys (anything but noeviction): it loses messages
   * when full. Default false: every operation then fails with MISCONFIGURED, saying so.
   */
  allowEviction?: boolean;
  /** Hears the engine's warnings about Redis's settings (appendonly no, …). Default: a line on stderr, once per process. */
  onWarning?: (message: string) => void;
  /**
   * Replica-acknowledged writes: each write resolves only once `replicas` replicas have it (Redis's
   * WAIT, one per merged script call), within `timeoutMs` (default 1000); fewer in time fail with
   * UNAVAILABLE (the write is on the master and may exist). Default: no waiting.
   */
  durability?: DurabilityOptions;
}

/** A stats-5.lua reply as QueueStats. */
function statsOf(reply: unknown): QueueStats {
  const [ready, inFlight, delayed, sent, received, deleted, deadLettered, deduplicated, paused, age] = (reply as unknown[]).map(Number) as [
    number, number, number, number, number, number, number, number, number, number,
  ];
  return { ready, inFlight, delayed, sent, received, deleted, deadLettered, deduplicated, paused: paused === 1, oldestReadyAgeMs: age < 0 ? null : age };
}

/** The default onWarning: a line on stderr, once per process for each warning (engines are many, the Redis one). */
const warned = new Set<string>();
function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(`tinyqs: warning: ${message}`);
}

export class TinyQS implements TinyQSApi {
  private readonly conn: Connection;
  private readonly keys: KeySpace;
  private readonly waiters: Waiters;
  private readonly replies: Replies;
  private readonly deadLetters: DeadLetters;
  private readonly records: QueueRecords;
  private readonly ops = new Map<string, QueueOps>();
  private readonly registered = new Set<string>();
  private closed = false;

  constructor(options: TinyQSOptions = {}) {
    const timeoutMs = checkInt("timeoutMs", options.timeoutMs, 1, 600_000, DEFAULTS.redisTimeoutMs);
    const isClosed = () => this.closed;
    this.keys = new KeySpace(options.prefix);
    const durability = checkDurability(options.durability, timeoutMs);
    this.conn = new Connection(options.redis, timeoutMs, isClosed, {
      allowEviction: options.allowEviction ?? false,
      warn: options.onWarning ?? warnOnce,
    }, durability);
    this.waiters = new Waiters(this.conn.subscriber, this.keys);
    this.replies = new Replies({ waiters: this.waiters, conn: this.conn, isClosed });
    this.records = new QueueRecords(this.conn, this.keys);
    this.deadLetters = new DeadLetters({
      conn: this.conn,
      keys: this.keys,
      getConfig: (queue) => this.getConfig(queue),
      register: (queue) => this.register(queue),
      isClosed,
    });
  }

  /**
   * Check Redis's settings now (the engine does so by itself before its first command): resolves
   * when they are fit; rejects MISCONFIGURED for an evicting maxmemory-policy (unless allowEviction),
   * UNAVAILABLE when Redis cannot be reached. Warnings go to onWarning. The servers call it before
   * they listen.
   */
  checkRedis(): Promise<void> {
    if (this.closed) return Promise.reject(new TinyQSError("CLOSED"));
    return this.conn.checkSettings();
  }

  // ---- sending ------------------------------------------------------------------------------

  async send(queue: string, body: Body, options: EngineSendOptions = {}): Promise<string> {
    const dedupId = checkDedupId(options.dedupId);
    const attributes = checkAttributes(options.attributes);
    const [id] = await this.sendGroup(queue, [body], options.delayMs, dedupId === undefined ? undefined : [dedupId], attributes);
    return id!;
  }

  async sendBatch(queue: string, bodies: Body[], options: SendBatchOptions = {}): Promise<string[]> {
    checkBodies(bodies);
    const dedupIds = checkDedupIds(options.dedupIds, bodies.length);
    if (bodies.length === 0) {
      checkQueueName(queue);
      return [];
    }
    return this.sendGroup(queue, bodies, options.delayMs, dedupIds);
  }

  private async sendGroup(
    queue: string,
    bodies: Body[],
    delay: number | undefined,
    dedupIds: Array<string | undefined> | undefined,
    attributes?: Record<string, string>,
  ): Promise<string[]> {
    const ops = this.queueOps(queue);
    const delayMs = checkDelayMs(delay);
    const values = new Array<Buffer | string>(bodies.length);
    let weight = 0;
    for (let i = 0; i < bodies.length; i++) {
      const value = (values[i] = storedValue(bodies[i], attributes));
      const bytes = storedBytes(value);
      if (bytes > LIMITS.maxMessageBytesCeiling) throw tooBig(bytes, LIMITS.maxMessageBytesCeiling);
      weight += bodyWeight(bytes);
    }
    const sent = ops.send.add({ delayMs, bodies: values, weight, dedupIds });
    // Registered already (every send but a queue's first): no second promise to wait for.
    const result = this.registered.has(queue) ? await sent : (await Promise.all([sent, this.register(queue)]))[0];
    if (result instanceof TinyQSError) throw result;
    return result;
  }

  // ---- receiving ----------------------------------------------------------------------------

  async receive(queue: string, options: ReceiveOptions = {}): Promise<Message | null> {
    const [m] = await this.receiveUpTo(queue, 1, options ?? {}); // ?? {}: a JavaScript caller's null, as before
    return m ?? null;
  }

  async receiveBatch(queue: string, options: ReceiveBatchOptions): Promise<Message[]> {
    const ops = this.queueOps(queue);
    return this.receiveUpTo(queue, checkMax(options?.max), options, ops);
  }

  /** receive and receiveBatch: up to `max` messages (checked), with the rest of the options still to check. */
  private async receiveUpTo(queue: string, max: number, options: ReceiveOptions, ops = this.queueOps(queue)): Promise<Message[]> {
    const visibilityMs = checkVisibilityMs(options.visibilityMs) ?? 0; // 0: the queue's setting
    const waitMs = checkWaitMs(options.waitMs);
    const { signal } = options;
    if (signal?.aborted) return [];
    const messages = await this.waitFor(queue, waitMs, signal, () => ops.receive.add({ max, visibilityMs }));
    if (signal?.aborted && messages.length > 0) {
      // The receiver went away while its messages were being reserved: they go straight back.
      await Promise.all(messages.map((m) => this.releaseReceipt(ops.keys, m.receipt!, 0, true).catch(() => false)));
      return [];
    }
    return messages;
  }

  async peek(queue: string, options: WaitOptions = {}): Promise<Message | null> {
    const ops = this.queueOps(queue);
    const waitMs = checkWaitMs(options.waitMs);
    if (options.signal?.aborted) return null;
    const [m] = await this.waitFor(queue, waitMs, options.signal, () => peekOnce(this.deadLetters, queue, ops.keys));
    return m ?? null;
  }

  async browse(queue: string, options: BrowseOptions): Promise<BrowsedMessage[]> {
    const { keys } = this.queueOps(queue);
    return browse(this.conn, queue, keys, checkBrowseOptions(options));
  }

  /**
   * Try once; if nothing came and the caller may wait, hold the queue's wake channel and try again
   * on every wake until something comes, the time is up or the signal aborts.
   */
  private async waitFor<T>(queue: string, waitMs: number, signal: AbortSignal | undefined, attempt: () => Promise<Attempt<T[]>>): Promise<T[]> {
    const deadline = Date.now() + waitMs;
    // Already subscribed (another waiter, or one that just left, holds the queue): if no wake comes
    // while the first attempt runs, it counts as the attempt after subscribing, and an empty one
    // sleeps at once instead of asking Redis twice (a receive loop at low rates did, every message).
    const mark = waitMs === 0 ? null : this.waiters.mark(queue);
    let result = await attempt();
    if (result.value.length > 0 || waitMs === 0) return result.value;
    const watch = await this.waiters.hold(queue).catch((err: unknown) => {
      throw fromRedisError(err);
    });
    let tried = mark !== null && watch.unchangedSince(mark);
    let generation = watch.generation;
    try {
      for (;;) {
        if (this.closed || signal?.aborted) return [];
        if (!tried) {
          // Subscribed now: a wake from here on is seen, so this attempt closes the gap since the first.
          generation = watch.generation;
          result = await attempt();
          if (result.value.length > 0) return result.value;
        }
        tried = false;
        const left = deadline - Date.now();
        if (left <= 0 || signal?.aborted || this.closed) return result.value;
        if (watch.generation !== generation) continue;
        if (result.nextDueIn !== LUA_CODES.receive.NOTHING_DUE) watch.wakeIn(result.nextDueIn);
        await watch.next(left, signal);
      }
    } finally {
      watch.release();
    }
  }

  // ---- acting on a reservation ---------------------------------------------------------------

  async delete(queue: string, idOrReceipt: string): Promise<boolean> {
    const ops = this.queueOps(queue);
    const [deleted] = await ops.delete.add([checkIdOrReceipt(idOrReceipt)]);
    return deleted!;
  }

  /** One script call for all of them (shared with the deletes issued in the same turn of the event loop); per item: true deleted, false unknown, stale or not a receipt. */
  async deleteBatch(queue: string, idsOrReceipts: string[]): Promise<boolean[]> {
    const ops = this.queueOps(queue);
    checkRefs("deleteBatch", idsOrReceipts);
    return this.perItem(idsOrReceipts, (refs) => ops.delete.add(refs));
  }

  async touch(queue: string, receipt: string, options: TouchOptions = {}): Promise<boolean> {
    const { keys } = this.queueOps(queue);
    checkReceipt(receipt);
    const [extended] = await this.touchReceipts(keys, [receipt], options);
    return extended!;
  }

  /** One script call for all of them; per item: true extended, false unknown, stale or not a receipt. */
  async touchBatch(queue: string, receipts: string[], options: TouchOptions = {}): Promise<boolean[]> {
    const { keys } = this.queueOps(queue);
    checkRefs("touchBatch", receipts);
    checkVisibilityMs(options.visibilityMs);
    return this.perItem(receipts, (valid) => this.touchReceipts(keys, valid, options));
  }

  private async touchReceipts(keys: QueueKeys, receipts: string[], options: TouchOptions): Promise<boolean[]> {
    const visibilityMs = checkVisibilityMs(options.visibilityMs) ?? 0; // 0: the queue's setting
    const r = (await this.conn.run("touch", scriptKeys.touch(keys), [visibilityMs, DEFAULTS.visibilityMs, ...receipts])) as string;
    return receipts.map((_, i) => r[i] === LUA_CODES.touch.EXTENDED);
  }

  /** A batch's answer per item: `run` gets the well-formed items only; the others are false. */
  private async perItem(items: unknown[], run: (valid: string[]) => Promise<boolean[]>): Promise<boolean[]> {
    const valid = items.filter(isRef);
    const done = valid.length > 0 ? await run(valid) : [];
    let k = 0;
    return items.map((item) => isRef(item) && done[k++]!);
  }

  async release(queue: string, receipt: string, options: ReleaseOptions = {}): Promise<boolean> {
    const { keys } = this.queueOps(queue);
    checkReceipt(receipt);
    const delayMs = checkDelayMs(options.delayMs);
    return this.releaseReceipt(keys, receipt, delayMs, options.undeliver === true);
  }

  private async releaseReceipt(keys: QueueKeys, receipt: string, delayMs: number, undo: boolean): Promise<boolean> {
    const r = await this.conn.run("release", scriptKeys.release(keys), [receipt, delayMs, keys.wake, undo ? "undo" : ""]);
    return r === LUA_CODES.release.RELEASED;
  }

  // ---- request/response -------------------------------------------------------------------------

  async put(queue: string, body: Body): Promise<string> {
    return replyHandle(queue, await this.send(queue, body));
  }

  take(queue: string, options: ReceiveOptions = {}): Promise<Message | null> {
    return this.receive(queue, options);
  }

  async respond(queue: string, receipt: string, body: Body): Promise<boolean> {
    const { keys } = this.queueOps(queue);
    checkReceipt(receipt);
    const reply = toBuffer(body);
    if (reply.length > LIMITS.maxMessageBytesCeiling) throw tooBig(reply.length, LIMITS.maxMessageBytesCeiling);
    return this.replies.respond(keys, receipt, reply);
  }

  async wait(handle: string, options: ReplyWaitOptions = {}): Promise<Buffer | null> {
    this.checkOpen();
    const { queue, id } = parseReplyHandle(handle);
    const { keys } = this.queueOps(queue);
    const timeoutMs = checkReplyTimeoutMs(options.timeoutMs) ?? DEFAULTS.replyTimeoutMs;
    return this.replies.wait(queue, keys, id, timeoutMs, options.signal);
  }

  async request(queue: string, body: Body, options: ReplyWaitOptions = {}): Promise<Buffer> {
    const timeoutMs = checkReplyTimeoutMs(options.timeoutMs) ?? DEFAULTS.replyTimeoutMs;
    if (options.signal?.aborted) throw requestAbandoned(queue);
    const handle = await this.put(queue, body);
    const reply = await this.wait(handle, options);
    if (reply) return reply;
    this.checkOpen();
    throw replyTimedOut(handle, timeoutMs);
  }

  // ---- queues ----------------------------------------------------------------------------------

  async configure(queue: string, changes: Partial<QueueSettings>): Promise<QueueConfig> {
    const { keys } = this.queueOps(queue);
    const checked = checkConfigChanges(queue, changes);
    const fields = Object.entries(checked).flat() as Array<string | number>;
    const current = await this.getConfig(queue);
    const next = { ...current, ...checked } as QueueConfig;
    if (next.maxReceives > 0) checkDefaultDeadLetterName(queue, next.deadLetterQueue);
    if (fields.length > 0) await this.conn.write(keys.config, () => this.conn.client.hset(keys.config, ...fields));
    await this.register(queue);
    if (next.maxReceives > 0) {
      await this.register(next.deadLetterQueue);
      this.deadLetters.learn(queue, next.deadLetterQueue);
    }
    return next;
  }

  async getConfig(queue: string): Promise<QueueConfig> {
    const { keys } = this.queueOps(queue);
    const stored = await this.conn.call(() => this.conn.client.hgetall(keys.config));
    return {
      visibilityMs: Number(stored.visibilityMs ?? DEFAULTS.visibilityMs),
      maxReceives: Number(stored.maxReceives ?? 0),
      deadLetterQueue: stored.deadLetterQueue ?? `${queue}.dead`,
      maxMessageBytes: Number(stored.maxMessageBytes ?? DEFAULTS.maxMessageBytes),
      replyTtlMs: Number(stored.replyTtlMs ?? DEFAULTS.replyTtlMs),
      dedupWindowMs: Number(stored.dedupWindowMs ?? DEFAULTS.dedupWindowMs),
      paused: stored.paused === "1",
    };
  }

  async stats(queue: string): Promise<QueueStats> {
    const { keys } = this.queueOps(queue);
    return statsOf(await this.conn.run("stats", scriptKeys.stats(keys), []));
  }

  /**
   * The stats of many queues in one round trip (on Redis Cluster one pipeline per master, sent at
   * once), and with `listQueues` the queue list (queues()) in the same trip. For the dashboard's
   * live sampling (http-server/src/ui/sampler.ts); not part of TinyQSApi.
   */
  async statsMany(queues: readonly string[], options: { listQueues?: boolean } = {}): Promise<{ stats: QueueStats[]; queues?: string[] }> {
    this.checkOpen();
    const reads = queues.map((q) => this.conn.scriptRead("stats", scriptKeys.stats(this.queueOps(q).keys), []));
    const registry = this.keys.registry;
    if (options.listQueues) reads.push({ key: registry, add: (p) => void p.smembers(registry) });
    const replies = await this.conn.pipelined(reads);
    const stats = replies.slice(0, queues.length).map(statsOf);
    return options.listQueues ? { stats, queues: (replies[queues.length] as string[]).sort() } : { stats };
  }

  /** Kept in the queue's config hash (field paused), which receive-9.lua reads: no extra round trip per receive. */
  async pause(queue: string): Promise<void> {
    const { keys } = this.queueOps(queue);
    await this.conn.write(keys.config, () => this.conn.client.hset(keys.config, "paused", "1"));
    await this.register(queue);
  }

  async resume(queue: string): Promise<void> {
    const { keys } = this.queueOps(queue);
    await this.conn.write(keys.config, () => this.conn.client.hdel(keys.config, "paused"));
    // The long polls on the queue wait for a wake: they try again now.
    await this.conn.call(() => this.conn.client.publish(keys.wake, ""));
  }

  /**
   * In steps of at most 100 letters: redrive-6.lua moves them to the dead-letter queue's outbox
   * with their routes, then the hand-off (dead-letters.ts) adopts them in their targets. An
   * interrupted redrive leaves letters in the outbox; the next redrive of the queue hands them on
   * first (they count as moved by it), so none is lost or delivered twice.
   */
  async redrive(deadLetterQueue: string, options: RedriveOptions = {}): Promise<number> {
    const { keys } = this.queueOps(deadLetterQueue);
    const { to, max } = checkRedriveOptions(deadLetterQueue, options);
    // First what an interrupted redrive left in the outbox (counted in the result, and against max when one is given).
    let moved = await this.deadLetters.handOff(deadLetterQueue);
    // Without max: what is ready now, so that letters dying again meanwhile are not sent round forever.
    let left = max === undefined ? await this.conn.call(() => this.conn.client.llen(keys.ready)) : max - moved;
    while (left > 0) {
      const step = Math.min(left, REDRIVE_STEP);
      const [n, stop] = ((await this.conn.run("redrive", scriptKeys.redrive(keys), [step, to ?? ""])) as number[]).map(Number) as [number, number];
      if (n > 0) moved += await this.deadLetters.handOff(deadLetterQueue);
      left -= n;
      if (stop === LUA_CODES.redrive.NO_SOURCE && moved === 0) {
        throw new TinyQSError(
          "BAD_ARGUMENT",
          `${deadLetterQueue} is not a dead-letter queue: its next message has no source queue to go back to (redrive it with a target queue: to)`,
        );
      }
      if (n < step) break;
    }
    // Nothing to move and no such queue at all (a typo, say): say so rather than "0 moved".
    if (moved === 0 && !(await this.records.exists(deadLetterQueue)) && isEmpty(await this.stats(deadLetterQueue))) {
      throw new TinyQSError("NOT_FOUND", `there is no queue ${deadLetterQueue} to redrive (queues() does not list it and it holds no message)`);
    }
    return moved;
  }

  async ping(): Promise<void> {
    this.checkOpen();
    await this.conn.call(() => this.conn.client.ping());
  }

  async queues(): Promise<string[]> {
    this.checkOpen();
    const names = await this.conn.call(() => this.conn.client.smembers(this.keys.registry));
    return names.sort();
  }

  async purge(queue: string): Promise<number> {
    const { keys } = this.queueOps(queue);
    const r = await this.conn.run("purge", scriptKeys.purge(keys), []);
    return Number(r);
  }

  /**
   * Delete a queue whole: its messages, settings, counters and records, and its place in queues().
   * One UNLINK of its keys (queue-records.ts): Redis frees large values in the background, so a
   * queue of a million messages does not block it. Another engine that sent to the queue before
   * keeps it out of queues() until that engine restarts, though its next send still stores the
   * message (a queue exists once used).
   */
  async deleteQueue(queue: string): Promise<void> {
    const { keys } = this.queueOps(queue);
    await this.records.drop(queue, keys);
    this.registered.delete(queue);
  }

  // ---- queue records: for servers whose queues are things of their own (the SQS port) -------------
  // Not part of TinyQSApi: the remote clients have no such calls.

  /** Whether the queue exists: used, configured or created (in queues()), and not deleted since. */
  queueExists(queue: string): Promise<boolean> {
    this.queueOps(queue);
    return this.records.exists(queue);
  }

  /** A front end's own records about a queue (string fields), beside its settings. */
  queueMeta(queue: string): Promise<Record<string, string>> {
    return this.records.meta(this.queueOps(queue).keys);
  }

  /** Set records; `onlyNew`: only fields not set yet. Registers the queue (queues() lists it). */
  async setQueueMeta(queue: string, fields: Record<string, string>, options: { onlyNew?: boolean } = {}): Promise<void> {
    await this.records.setMeta(this.queueOps(queue).keys, fields, options.onlyNew);
    await this.register(queue);
  }

  async deleteQueueMeta(queue: string, fields: string[]): Promise<void> {
    await this.records.deleteMeta(this.queueOps(queue).keys, fields);
  }

  /** When each message was first received through the caller (noted now for those not seen before), in ms. */
  firstReceived(queue: string, ids: string[]): Promise<number[]> {
    return this.records.firstReceived(this.queueOps(queue).keys, ids);
  }

  /** Forget first-receive times: of these ids, or (no ids) of the whole queue. */
  forgetFirstReceived(queue: string, ids?: string[]): Promise<void> {
    const { keys } = this.queueOps(queue);
    return ids ? this.records.forgetFirstReceived(keys, ids) : this.records.forgetAllFirstReceived(keys);
  }

  process(queue: string, handler: Handler, options?: WorkerOptions): Worker {
    return createWorker(this, queue, handler, options);
  }

  /** Stops long polls (they return empty), waits for operations in flight, and closes the connections it made. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.waiters.close();
    await this.conn.close();
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private queueOps(queue: string): QueueOps {
    this.checkOpen();
    let ops = this.ops.get(queue);
    if (ops) return ops;
    checkQueueName(queue);
    ops = createQueueOps(queue, this.keys.queue(queue), this.conn, this.deadLetters);
    this.ops.set(queue, ops);
    return ops;
  }

  /** Add a queue to the registry behind queues() (once per queue per engine). */
  private async register(queue: string): Promise<void> {
    if (this.registered.has(queue)) return;
    await this.conn.call(() => this.conn.client.sadd(this.keys.registry, queue));
    this.registered.add(queue);
  }

  private checkOpen(): void {
    if (this.closed) throw new TinyQSError("CLOSED");
  }
}

const isEmpty = (s: QueueStats) => s.ready + s.inFlight + s.delayed === 0;

/** Letters one redrive-6.lua call moves: a bounded step, short for Redis. */
const REDRIVE_STEP = 100;

function tooBig(size: number, limit: number): TinyQSError {
  return new TinyQSError("TOO_BIG", `the body is ${size} bytes; the limit is ${limit}`);
}

/**
 * With maxReceives set, the dead-letter queue must be a valid name: a named one was checked when it
 * was set, so only the default `<queue>.dead` of a long queue name can fail here.
 */
function checkDefaultDeadLetterName(queue: string, deadLetterQueue: string): void {
  if (QUEUE_NAME.test(deadLetterQueue)) return;
  throw new TinyQSError(
    "BAD_NAME",
    `the default dead-letter queue of ${queue} would be ${JSON.stringify(deadLetterQueue)}, longer than 128 characters: set deadLetterQueue`,
  );
}
