// One queue's subscription on one socket: receive (long polls through the engine's shared waiting)
// while fewer than `prefetch` pushed messages are unacknowledged, push them, and keep account of
// what the socket holds. A held message stops counting when the client deletes or releases it, or
// when its lease runs out (the engine has given it back by then, so the slot is free again).
import type { Message, TinyQSApi } from "@tinyqs/core";
import { isTinyQSError, TinyQSError } from "@tinyqs/core";
import type { Context } from "../context.js";

export interface SubscriptionHost {
  readonly ctx: Context;
  readonly pollMs: number;
  /** Push a message to the client; false when the socket is gone (the message must go back). */
  push(m: Message): boolean;
  /** Tell the client that receiving fails (Redis away…); the subscription keeps trying. */
  failed(queue: string, err: TinyQSError): void;
}

/** After a failed receive, wait this long before the next (doubling, up to the cap). */
const RETRY_MS = 250;
const RETRY_CAP_MS = 5000;

export class Subscription {
  /** receipt → the timer that frees its slot when the lease ends. */
  private readonly held = new Map<string, NodeJS.Timeout>();
  private active = false;
  private loop: Promise<void> | null = null;
  private abortPoll: (() => void) | null = null;
  private roomFreed: (() => void) | null = null;
  private prefetch = 1;
  /** The reservation length used for receives, and to know when a held message's lease ends. */
  private visibilityMs = 0;
  private queueVisibilityMs = 0;

  constructor(
    private readonly host: SubscriptionHost,
    readonly queue: string,
  ) {}

  private get api(): TinyQSApi {
    return this.host.ctx.api;
  }

  get isActive(): boolean {
    return this.active;
  }

  get heldCount(): number {
    return this.held.size;
  }

  /** Start (or restart after unsubscribe) pushing; resolves with the reservation length in use. */
  async start(prefetch: number, visibilityMs: number | undefined): Promise<number> {
    // The queue's own default is needed to know when a lease ends (receives and touches without one).
    this.queueVisibilityMs = (await this.api.getConfig(this.queue)).visibilityMs;
    this.prefetch = prefetch;
    this.visibilityMs = visibilityMs ?? this.queueVisibilityMs;
    this.active = true;
    this.loop ??= this.run().finally(() => (this.loop = null));
    return this.visibilityMs;
  }

  /** Stop pushing; what is held stays held (the client may still delete it) until release(). */
  async stop(): Promise<void> {
    this.active = false;
    this.abortPoll?.();
    this.wake();
    await this.loop;
  }

  /** The client acted on a receipt: delete or release (gone), touch (a new lease end), or false (stale). */
  settled(receipt: string): void {
    const timer = this.held.get(receipt);
    if (!timer) return;
    clearTimeout(timer);
    this.held.delete(receipt);
    this.wake();
  }

  touched(receipt: string, visibilityMs: number | undefined): void {
    if (!this.held.has(receipt)) return;
    this.holdFor(receipt, visibilityMs ?? this.queueVisibilityMs);
  }

  /** Stop, and put everything this socket holds back to ready at once. */
  async releaseAll(): Promise<void> {
    await this.stop();
    const receipts = [...this.held.keys()];
    for (const t of this.held.values()) clearTimeout(t);
    this.held.clear();
    await Promise.all(receipts.map((r) => this.api.release(this.queue, r).catch(() => false)));
  }

  private holdFor(receipt: string, ms: number): void {
    clearTimeout(this.held.get(receipt));
    const timer = setTimeout(() => this.settled(receipt), ms);
    timer.unref();
    this.held.set(receipt, timer);
  }

  private wake(): void {
    const fn = this.roomFreed;
    this.roomFreed = null;
    fn?.();
  }

  private async run(): Promise<void> {
    let retryMs = RETRY_MS;
    while (this.active) {
      const room = this.prefetch - this.held.size;
      if (room <= 0) {
        await new Promise<void>((resolve) => (this.roomFreed = resolve));
        continue;
      }
      const wait = this.host.ctx.track();
      this.abortPoll = wait.abort;
      try {
        const messages = await this.api.receiveBatch(this.queue, {
          max: room, waitMs: this.host.pollMs, visibilityMs: this.visibilityMs, signal: wait.signal,
        });
        retryMs = RETRY_MS;
        for (const m of messages) {
          if (this.active && this.host.push(m)) {
            this.holdFor(m.receipt!, this.visibilityMs);
          } else {
            // Stopped (or the socket went) while these were on their way: they go straight back.
            await this.api.release(this.queue, m.receipt!, { undeliver: true }).catch(() => false);
          }
        }
      } catch (err) {
        if (!this.active) break;
        this.host.failed(this.queue, isTinyQSError(err) ? err : new TinyQSError("INTERNAL", String(err)));
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, retryMs);
          this.roomFreed = () => (clearTimeout(t), resolve());
        });
        retryMs = Math.min(retryMs * 2, RETRY_CAP_MS);
      } finally {
        this.abortPoll = null;
        wait.done();
      }
    }
  }
}
