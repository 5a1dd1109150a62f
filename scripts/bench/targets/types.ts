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
  close(): Promise<void>;
}

export interface Target {
  name: string;
  open(ctx: OpenContext): Promise<QueueHandle>;
}
