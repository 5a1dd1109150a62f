// One queue's subscription on one socket: receive (long polls through the engine's shared waiting)
// while fewer than `prefetch` pushed messages are unacknowledged, push them, and keep account of
// what the socket holds. A held message stops counting when the client deletes (by receipt or id) or
// releases it, or when its lease runs out (the engine has given it back by then, so the slot is free
// again).
import type { Message, TinyQSApi } from "@tinyqs/core";
import { backoff, isTinyQSError, sleep, TinyQSError } from "@tinyqs/core";
import type { Context } from "../context.js";

export interface SubscriptionHost {
  readonly ctx: Context;
  readonly pollMs: number;
  /** Push a message to the client; false when the socket is gone (the message must go back). */
  push(m: Message): boolean;
  /** Tell the client that receiving fails (Redis away…); the subscription keeps trying. */
  failed(queue: string, err: TinyQSError): void;
}

/** After a failed receive, wait this long before the next (doubling per failure in a row, up to the cap). */
const RETRY_MS = 250;
const RETRY_CAP_MS = 5000;

const closedError = () => new TinyQSError("CLOSED", "this socket is closing");

/** A message pushed to the socket and not yet acted on: its id, and when its lease ends (its slot is free then). */
interface Held {
  id: string;
  endsAt: number;
}

export class Subscription {
  /** receipt → what is held under it. */
  private readonly held = new Map<string, Held>();
  /**
   * One timer for every held lease, not one per message (a timer set and cleared per push cost more
   * than the push itself at high rates): it is set for the earliest lease end it knows of, and a
   * delete or release leaves it alone. When it fires it frees what has ended and is set again for
   * the next end, if any.
   */
  private leaseTimer: NodeJS.Timeout | null = null;
  private leaseTimerAt = Infinity;
  private active = false;
  /** A subscribe is reading the queue's settings: a second subscribe must be refused meanwhile. */
  private starting = false;
  /** Bumped by every start and stop, so that a start overtaken by a stop (or a close) does not begin. */
  private generation = 0;
  /** The socket closed: this subscription never pushes again. */
  private closed = false;
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

  /** Subscribed, or about to be (a subscribe in progress). */
  get isActive(): boolean {
    return this.active || this.starting;
  }

  get heldCount(): number {
    return this.held.size;
  }

  /** Start (or restart after unsubscribe) pushing; resolves with the reservation length in use. */
  async start(prefetch: number, visibilityMs: number | undefined): Promise<number> {
    if (this.closed) throw closedError();
    const generation = ++this.generation;
    this.starting = true;
    try {
      // The queue's own default is needed to know when a lease ends (receives and touches without
      // one). It is read once per socket: a worker that subscribes again for every batch does not
      // cost Redis a round trip each time.
      this.queueVisibilityMs ||= (await this.api.getConfig(this.queue)).visibilityMs;
    } finally {
      if (generation === this.generation) this.starting = false;
    }
    // The socket may have closed, or unsubscribed, while the settings were being read: starting the
    // loop now would receive messages for nobody, again and again, with no socket left to stop it.
    if (this.closed) throw closedError();
    if (generation !== this.generation) throw new TinyQSError("BAD_ARGUMENT", `unsubscribed from ${this.queue} before the subscription started`);
    this.prefetch = prefetch;
    this.visibilityMs = visibilityMs ?? this.queueVisibilityMs;
    this.active = true;
    this.loop ??= this.run().finally(() => (this.loop = null));
    return this.visibilityMs;
  }

  /** Stop pushing; what is held stays held (the client may still delete it) until release(). */
  async stop(): Promise<void> {
    this.generation++;
    this.starting = false;
    this.active = false;
    this.abortPoll?.();
    this.wake();
    await this.loop;
  }

  /**
   * The delivery is over for this socket: the client deleted (by receipt, or by the message's id) or
   * released it, or the engine said the receipt is stale. Its prefetch slot is free again.
   */
  settled(receiptOrId: string): void {
    const receipt = this.held.has(receiptOrId) ? receiptOrId : [...this.held].find(([, h]) => h.id === receiptOrId)?.[0];
    if (receipt === undefined) return;
    this.held.delete(receipt);
    if (this.held.size === 0) this.clearLeaseTimer();
    this.wake();
  }

  touched(receipt: string, visibilityMs: number | undefined): void {
    const h = this.held.get(receipt);
    if (!h) return;
    this.holdFor(receipt, h.id, visibilityMs ?? this.queueVisibilityMs);
  }

  /** Stop, and put everything this socket holds back to ready at once. */
  async releaseAll(): Promise<void> {
    this.closed = true;
    await this.stop();
    const receipts = [...this.held.keys()];
    this.clearLeaseTimer();
    this.held.clear();
    await Promise.all(receipts.map((r) => this.api.release(this.queue, r).catch(() => false)));
  }

  private holdFor(receipt: string, id: string, ms: number): void {
    const endsAt = Date.now() + ms;
    this.held.set(receipt, { id, endsAt });
    if (endsAt < this.leaseTimerAt) this.setLeaseTimer(endsAt);
  }

  private setLeaseTimer(at: number): void {
    this.clearLeaseTimer();
    this.leaseTimerAt = at;
    this.leaseTimer = setTimeout(() => this.leasesEnded(), Math.max(0, at - Date.now()));
    this.leaseTimer.unref();
  }

  private clearLeaseTimer(): void {
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    this.leaseTimer = null;
    this.leaseTimerAt = Infinity;
  }

  /** The lease timer fired: free the slots of every lease that has ended, and wait for the next end. */
  private leasesEnded(): void {
    this.leaseTimer = null;
    this.leaseTimerAt = Infinity;
    const now = Date.now();
    let next = Infinity;
    let freed = false;
    for (const [receipt, h] of this.held) {
      if (h.endsAt <= now) {
        this.held.delete(receipt);
        freed = true;
      } else if (h.endsAt < next) next = h.endsAt;
    }
    if (next < Infinity) this.setLeaseTimer(next);
    if (freed) this.wake();
  }

  private wake(): void {
    const fn = this.roomFreed;
    this.roomFreed = null;
    fn?.();
  }

  private async run(): Promise<void> {
    let failures = 0;
    // On shutdown every wait answers at once (aborted): a loop still running then would spin.
    while (this.active && !this.host.ctx.isClosing) {
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
        failures = 0;
        for (const m of messages) {
          if (this.active && this.host.push(m)) {
            this.holdFor(m.receipt!, m.id, this.visibilityMs);
          } else {
            // Stopped (or the socket went) while these were on their way: they go straight back.
            await this.api.release(this.queue, m.receipt!, { undeliver: true }).catch(() => false);
          }
        }
      } catch (err) {
        if (!this.active) break;
        this.host.failed(this.queue, isTinyQSError(err) ? err : new TinyQSError("INTERNAL", String(err)));
        // A freed slot (or a stop) cuts the pause short, as it ends a wait for room.
        await sleep(backoff(++failures, RETRY_MS, RETRY_CAP_MS), undefined, (wake) => (this.roomFreed = wake));
      } finally {
        this.abortPoll = null;
        wait.done();
      }
    }
  }
}
