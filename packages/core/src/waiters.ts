// Long polling without a Redis connection per waiter, and without polling Redis.
//
// One subscriber connection per engine listens on the wake channel of each queue that has local
// waiters. Scripts publish there when a queue may have become receivable: a send or release into an
// empty ready list, a delayed message that is now the earliest. Delayed messages coming due and
// leases running out publish nothing: for those each queue keeps one timer, set to the earliest due
// time that a failed attempt reported. A wake (message or timer) lets every waiter of the queue try
// again; their attempts coalesce into one script call.
import type { RedisClient } from "./connection.js";
import type { KeySpace } from "./keys.js";

/** How long a queue stays subscribed after its last waiter left, so that receive loops that wait
 * again and again don't subscribe and unsubscribe every time. */
const LINGER_MS = 10_000;

class QueueWatch {
  /** Bumped on every wake: an attempt that started before a bump may have missed a message. */
  generation = 0;
  holders = 0;
  subscribed: Promise<unknown> | null = null;
  private listeners = new Set<() => void>();
  private dueTimer: NodeJS.Timeout | null = null;
  private dueAt = Infinity;
  lingerTimer: NodeJS.Timeout | null = null;

  wake(): void {
    this.generation++;
    this.clearDue();
    const listeners = this.listeners;
    this.listeners = new Set();
    for (const fn of listeners) fn();
  }

  /** Wake this queue's waiters in `ms` (a delayed message or a lease comes due), unless sooner already. */
  wakeIn(ms: number): void {
    if (ms < 0) return;
    const at = Date.now() + ms;
    if (at >= this.dueAt) return;
    this.clearDue();
    this.dueAt = at;
    this.dueTimer = setTimeout(() => this.wake(), ms + 1); // +1: never wake a hair before it is due
  }

  /** Resolves on the next wake, after `ms`, or when `signal` aborts, whichever comes first. */
  next(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.listeners.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
      this.listeners.add(done);
    });
  }

  clearDue(): void {
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.dueTimer = null;
    this.dueAt = Infinity;
  }
}

export interface Watch {
  readonly generation: number;
  wakeIn(ms: number): void;
  next(ms: number, signal?: AbortSignal): Promise<void>;
  release(): void;
}

export class Waiters {
  private readonly watches = new Map<string, QueueWatch>();

  constructor(private readonly subscriber: RedisClient, private readonly keys: KeySpace) {
    subscriber.on("message", (channel: string) => {
      const queue = keys.queueOfChannel(channel);
      if (queue !== null) this.watches.get(queue)?.wake();
    });
    // Publications sent while the subscriber was away are lost: after a reconnect everyone looks again.
    subscriber.on("ready", () => this.wakeAll());
  }

  /** Subscribe to the queue's wake channel (once per queue) and hold it until `release()`. */
  async hold(queue: string): Promise<Watch> {
    let w = this.watches.get(queue);
    if (!w) this.watches.set(queue, (w = new QueueWatch()));
    w.holders++;
    if (w.lingerTimer) clearTimeout(w.lingerTimer);
    w.lingerTimer = null;
    const watch = w;
    try {
      await (watch.subscribed ??= this.subscriber.subscribe(this.keys.queue(queue).wake).catch((err: unknown) => {
        watch.subscribed = null;
        throw err;
      }));
    } catch (err) {
      this.release(queue, watch);
      throw err;
    }
    return {
      get generation() {
        return watch.generation;
      },
      wakeIn: (ms) => watch.wakeIn(ms),
      next: (ms, signal) => watch.next(ms, signal),
      release: () => this.release(queue, watch),
    };
  }

  /** Wake every waiter (reconnect, shutdown). */
  wakeAll(): void {
    for (const w of this.watches.values()) w.wake();
  }

  private release(queue: string, w: QueueWatch): void {
    if (--w.holders > 0) return;
    w.clearDue();
    w.lingerTimer = setTimeout(() => {
      if (w.holders > 0 || this.watches.get(queue) !== w) return;
      this.watches.delete(queue);
      if (w.subscribed) this.subscriber.unsubscribe(this.keys.queue(queue).wake).catch(() => {});
    }, LINGER_MS);
    w.lingerTimer.unref();
  }

  close(): void {
    for (const w of this.watches.values()) {
      w.clearDue();
      if (w.lingerTimer) clearTimeout(w.lingerTimer);
      w.wake();
    }
    this.watches.clear();
  }
}
