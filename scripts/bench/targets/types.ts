// What the benchmark needs from a way of reaching tinyqs. The engine is one target; a TCP, HTTP or
// WebSocket front end is another: each is a small module that implements this and is listed in
// ./index.ts. The runner only ever sees a QueueHandle, so every target is measured the same way.

export interface OpenContext {
  /** The Redis the run uses (already flushed); a server target passes it to the server it starts. */
  redisUrl: string;
  /** A fresh queue name for this run. */
  queue: string;
  /** Reservation length for receives. */
  visibilityMs: number;
  /** The engine target: replicas each write waits for (TinyQS's durability.replicas; 0: none). */
  durabilityReplicas?: number;
}

export interface Received {
  /** What delete() takes back: the receipt of this delivery. */
  ref: string;
  /** The body as sent; its first 8 bytes are the sequence number. */
  body: Buffer | string;
}

export interface QueueHandle {
  send(body: string): Promise<unknown>;
  /** Long-polls up to waitMs; null when nothing came. */
  receive(waitMs: number): Promise<Received | null>;
  /** true when the message was deleted (the receipt was current). */
  delete(ref: string): Promise<boolean>;
  /** The batch verbs, for `pnpm bench --batch` and for what growth.ts queues before a run. */
  batch?: BatchHandle;
  /** --idle-queues: start `count` receivers, one per other queue, long-polling; resolves to their stop. */
  idleReceivers?(count: number): Promise<() => Promise<void>>;
  /** Request/response on the same queue (scenario R); absent when the target has none (see Target.noRequests). */
  requests?: RequestHandle;
  close(): Promise<void>;
}

/** `--batch` (the peers' `+batch` mode): sends in batches, receives many per call, deletes what one call got in one call. */
export interface BatchHandle {
  /** delayMs: receivable that many ms from now (--due); absent, at once. */
  sendBatch(bodies: string[], delayMs?: number): Promise<unknown>;
  /** Up to max, long-polling up to waitMs for the first; [] when nothing came. */
  receiveBatch(max: number, waitMs: number): Promise<Received[]>;
  /** One answer per ref, in order: true when deleted. */
  deleteBatch(refs: string[]): Promise<boolean[]>;
}

/** The request/response verbs (put, take, respond, wait) on the run's queue. */
export interface RequestHandle {
  /** Sends a request; resolves to its reply handle. */
  put(body: string): Promise<string>;
  /** Long-polls up to waitMs for a request; null when nothing came. */
  take(waitMs: number): Promise<Received | null>;
  /** true when the reply was stored (the receipt was current), false when it was refused. */
  respond(ref: string, body: string): Promise<boolean>;
  /** The reply for a handle from put(), waiting up to timeoutMs; null when none came. */
  wait(handle: string, timeoutMs: number): Promise<Buffer | string | null>;
  /** put + wait in one exchange, where the front end has one and its users would call it (HTTP's
   * POST …/requests); the callers then use it instead of put() and wait(). */
  request?(body: string, timeoutMs: number): Promise<Buffer | string | null>;
}

export interface Target {
  name: string;
  /** Set when the target cannot do request/response: why. The benchmark then skips scenario R on it
   * with this message instead of failing the run. */
  noRequests?: string;
  open(ctx: OpenContext): Promise<QueueHandle>;
}
