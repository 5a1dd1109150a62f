// The public shapes of tinyqs. `TinyQSApi` is the contract: the embedded engine implements it, and
// so does the remote client (@tinyqs/client), so code moves between the two by changing one line.

import type { Handler, Worker, WorkerOptions } from "./worker.js";

/** A message body: bytes, kept byte-exact. Strings are stored as their UTF-8 bytes. */
export type Body = Buffer | Uint8Array | string;

export interface Message {
  queue: string;
  /** Unique within its queue; `<sentAt ms>-<sequence>`. */
  id: string;
  /**
   * Names this delivery (`<id>.<n>`, n the delivery number of the id, which never repeats: it equals
   * receiveCount unless the message was redriven, when n goes on counting); null for a peeked message.
   */
  receipt: string | null;
  body: Buffer;
  /** How many times the message has been delivered, this delivery included (0 when peeked and never received); since its last redrive, if it was redriven. */
  receiveCount: number;
  /** When the message was sent, in ms since the epoch (Redis clock). */
  sentAt: number;
  /** The attributes it was sent with (SendOptions.attributes); absent when none. */
  attributes?: Record<string, string>;
}

export interface SendOptions {
  /** Become receivable this many ms from now (default 0). */
  delayMs?: number;
  /**
   * Idempotent send: a second send with the same dedupId within the queue's dedupWindowMs (default
   * 5 minutes, from the first send) stores nothing and returns the first message's id. 1–128
   * printable ASCII characters, no spaces.
   */
  dedupId?: string;
}

export interface SendBatchOptions {
  /** Become receivable this many ms from now (default 0). */
  delayMs?: number;
  /** One dedup id per body (as SendOptions.dedupId), or undefined for a body without one. */
  dedupIds?: ReadonlyArray<string | undefined>;
}

/** The embedded engine's send options: SendOptions and what only the engine offers so far. */
export interface EngineSendOptions extends SendOptions {
  /**
   * Strings kept with each message sent, beside its body, and handed back with every delivery
   * (Message.attributes); they count towards maxMessageBytes. The SQS port keeps MessageAttributes
   * here. Engine only: the TCP and HTTP APIs neither take nor show them yet (their bodies are unchanged).
   */
  attributes?: Record<string, string>;
}

export interface WaitOptions {
  /** Long-poll up to this many ms when nothing is ready (default 0: answer at once). */
  waitMs?: number;
  /** Give up waiting when this signal aborts; a message reserved at that instant goes back to ready. */
  signal?: AbortSignal;
}

export interface ReceiveOptions extends WaitOptions {
  /** How long the reservation lasts (default: the queue's `visibilityMs`). */
  visibilityMs?: number;
}

export interface ReceiveBatchOptions extends ReceiveOptions {
  /** At most this many messages (1–1000). */
  max: number;
}

export interface TouchOptions {
  visibilityMs?: number;
}

export interface ReleaseOptions {
  /** Ready again after this many ms (default 0: at once). */
  delayMs?: number;
  /**
   * The message never reached its receiver (a server whose client vanished before the reply went
   * out): take the delivery back too, so receiveCount and stats.received are as before the receive.
   */
  undeliver?: boolean;
}

/** A state of a message, as browse() shows it. */
export type BrowseState = "ready" | "inFlight" | "delayed";

export interface BrowseOptions {
  state: BrowseState;
  /** Skip this many, oldest first (default 0). */
  offset?: number;
  /** At most this many (1–100, default 20). */
  limit?: number;
  /** Cut each body to its first bodyBytes bytes (default 65 536; `size` is the whole body's). */
  bodyBytes?: number;
}

/** A message as browse() shows it: read, not reserved; no receipt (a browser must not act on a delivery). */
export interface BrowsedMessage {
  queue: string;
  id: string;
  state: BrowseState;
  /** The body, or its first bodyBytes bytes. */
  body: Buffer;
  /** The whole body's size in bytes. */
  size: number;
  /** Deliveries so far (since its last redrive, if it was redriven). */
  receiveCount: number;
  sentAt: number;
  /** In flight: when its lease ends (in the past when it ended and no receive has taken it back yet). */
  leaseEndsAt?: number;
  /** Delayed: when it becomes ready. */
  dueAt?: number;
  /** A dead letter: the queue it died in and the id it had there (where redrive() sends it back). */
  deadLetterOf?: { queue: string; id: string };
}

export interface QueueConfig {
  /** Default reservation length for receives that don't give one. */
  visibilityMs: number;
  /** Dead-letter a message instead of delivering it for the (maxReceives+1)th time; 0 = never. */
  maxReceives: number;
  /** Where dead letters go; default `<queue>.dead`. */
  deadLetterQueue: string;
  /** Largest body accepted by send (and respond), in bytes. */
  maxMessageBytes: number;
  /** How long a reply (respond) is kept for wait() to collect before it expires. */
  replyTtlMs: number;
  /** How long a send's dedupId keeps a second send with it from being stored (from the first send). */
  dedupWindowMs: number;
  /**
   * Read only: whether the queue is paused (pause() / resume(); configure() refuses it). While
   * paused, receives, takes and subscriptions deliver nothing; sends are accepted; peek still shows.
   */
  readonly paused: boolean;
}

/** The settings configure() changes: every QueueConfig field but the read-only `paused`. */
export type QueueSettings = Omit<QueueConfig, "paused">;

export interface RedriveOptions {
  /**
   * Send the dead letters here instead of back to the queues they died in. Needed for messages
   * that carry no source queue (sent to the queue directly, or dead-lettered by a tinyqs before 0.2).
   */
  to?: string;
  /** Move at most this many (default: as many as are ready when the redrive starts). */
  max?: number;
}

export interface QueueStats {
  ready: number;
  inFlight: number;
  delayed: number;
  sent: number;
  received: number;
  deleted: number;
  deadLettered: number;
  /** Sends not stored because their dedupId had been sent within the window. */
  deduplicated: number;
  /** Whether the queue is paused (pause() / resume()). */
  paused: boolean;
  /**
   * How long ago (ms, Redis clock) the message a receive would take next was sent; null when no
   * message is ready. Read off that message's id, so it costs no scan.
   */
  oldestReadyAgeMs: number | null;
}

export interface ReplyWaitOptions {
  /** Wait up to this many ms for the reply (default 30 000; 0: look once, don't wait). */
  timeoutMs?: number;
  /** Give up waiting when this signal aborts; a reply collected at that instant is put back. */
  signal?: AbortSignal;
}

/** What the engine and every client implement. */
export interface TinyQSApi {
  send(queue: string, body: Body, options?: SendOptions): Promise<string>;
  sendBatch(queue: string, bodies: Body[], options?: SendBatchOptions): Promise<string[]>;
  receive(queue: string, options?: ReceiveOptions): Promise<Message | null>;
  receiveBatch(queue: string, options: ReceiveBatchOptions): Promise<Message[]>;
  peek(queue: string, options?: WaitOptions): Promise<Message | null>;
  /** The messages of one state, oldest first, without reserving or changing anything. */
  browse(queue: string, options: BrowseOptions): Promise<BrowsedMessage[]>;
  delete(queue: string, idOrReceipt: string): Promise<boolean>;
  /** Many deletes in one call (at most 1000): per item, true deleted, false unknown, stale or not a receipt/id. */
  deleteBatch(queue: string, idsOrReceipts: string[]): Promise<boolean[]>;
  touch(queue: string, receipt: string, options?: TouchOptions): Promise<boolean>;
  /** Many touches in one call (at most 1000), all to the same visibilityMs: per item, true extended, false otherwise. */
  touchBatch(queue: string, receipts: string[], options?: TouchOptions): Promise<boolean[]>;
  release(queue: string, receipt: string, options?: ReleaseOptions): Promise<boolean>;
  configure(queue: string, changes: Partial<QueueSettings>): Promise<QueueConfig>;
  getConfig(queue: string): Promise<QueueConfig>;
  stats(queue: string): Promise<QueueStats>;
  queues(): Promise<string[]>;
  purge(queue: string): Promise<number>;
  /** Stop deliveries: receives, takes and subscriptions get nothing (long polls keep waiting) until resume(); sends are accepted. Kept in Redis. */
  pause(queue: string): Promise<void>;
  /** Deliver again (wakes the long polls waiting on the queue). */
  resume(queue: string): Promise<void>;
  /**
   * Move dead letters (the ready messages of `deadLetterQueue`) back, ready, to the queue each died
   * in, or to `options.to`; their receive count starts again. Returns how many moved.
   */
  redrive(deadLetterQueue: string, options?: RedriveOptions): Promise<number>;
  /** Delete a queue whole: its messages, settings, counters; queues() no longer lists it. A send afterwards makes it anew. */
  deleteQueue(queue: string): Promise<void>;
  // Request/response: a request is a message of `queue` whose reply its sender can wait for.
  /** Send a request; returns its reply handle `<queue>:<id>` (the request's id is the message id). */
  put(queue: string, body: Body): Promise<string>;
  /** Receive a request: a receive, with the same lease. */
  take(queue: string, options?: ReceiveOptions): Promise<Message | null>;
  /** Store the reply and delete the request, in one step; false when the receipt is not the current reservation. */
  respond(queue: string, receipt: string, body: Body): Promise<boolean>;
  /** The reply for a handle from put(), once: collected and removed; null when none came in time. */
  wait(replyHandle: string, options?: ReplyWaitOptions): Promise<Buffer | null>;
  /** put() then wait(); fails with TIMEOUT when no reply came in time. */
  request(queue: string, body: Body, options?: ReplyWaitOptions): Promise<Buffer>;
  /** Resolves when Redis answers; fails with UNAVAILABLE (or CLOSED) otherwise. */
  ping(): Promise<void>;
  /** Run `handler` on every message of `queue` (see createWorker): delete on success, retry later on failure. */
  process(queue: string, handler: Handler, options?: WorkerOptions): Worker;
  close(): Promise<void>;
}
