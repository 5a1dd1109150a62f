// Long polling without a Redis connection per waiter, and without polling Redis.
//
// One subscriber connection per engine listens on the wake channel of each queue that has local
// waiters. Scripts publish there when a queue may have become receivable: a send or release into an
// empty ready list, a delayed message that is now the earliest. Delayed messages coming due and
// leases running out publish nothing: for those each queue keeps one timer, set to the earliest due
// time that a failed attempt reported. A wake (message or timer) lets every waiter of the queue try
// again; their attempts coalesce into one script call.
//
// Waiting for replies (wait(), request()) shares the same connection: respond publishes the ids of
// the requests it answered on the queue's `replied` channel, and only the waiters of those ids look.
import type { RedisClient } from "./connection.js";
import type { KeySpace } from "./keys.js";
import { onAbort, sleep } from "./timing.js";

/** How long a queue stays subscribed after its last waiter left, so that receive loops that wait
 * again and again don't subscribe and unsubscribe every time. */
const LINGER_MS = 10_000;

/** One subscribed channel, shared by the local waiters that hold it. */
abstract class ChannelWatch {
  holders = 0;
  subscribed: Promise<unknown> | null = null;
  /** The subscription is in place: a publication from now on reaches this watch. */
  live = false;
  lingerTimer: NodeJS.Timeout | null = null;

  /** A publication on the channel arrived. */
  abstract onMessage(payload: string): void;
  /** Everyone look again (reconnect, shutdown). */
  abstract wake(): void;
  /** The last holder left. */
  idle(): void {}
}

/** Resolves after `ms`, when `signal` aborts, or when `listeners` calls what it was given, whichever comes first. */
async function nextEvent(listeners: Set<() => void>, ms: number, signal?: AbortSignal): Promise<void> {
  let wake: (() => void) | undefined;
  await sleep(ms, signal, (w) => listeners.add((wake = w)));
  listeners.delete(wake!);
}

class QueueWatch extends ChannelWatch {
  /** Bumped on every wake: an attempt that started before a bump may have missed a message. */
  generation = 0;
  private listeners = new Set<() => void>();
  private dueTimer: NodeJS.Timeout | null = null;
  private dueAt = Infinity;

  onMessage(): void {
    this.wake();
  }

  override idle(): void {
    this.clearDue();
  }

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
    return nextEvent(this.listeners, ms, signal);
  }

  clearDue(): void {
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.dueTimer = null;
    this.dueAt = Infinity;
  }
}

/** The local waiters for replies on one queue, by request id. */
class ReplyWatch extends ChannelWatch {
  readonly expected = new Map<string, Set<ReplyInterest>>();

  onMessage(ids: string): void {
    for (const id of ids.split(" ")) for (const interest of this.expected.get(id) ?? []) interest.fire();
  }

  wake(): void {
    for (const interests of this.expected.values()) for (const interest of interests) interest.fire();
  }
}

class ReplyInterest {
  /** Set when the reply may have arrived; whoever looks for it clears it first. */
  fired = false;
  private readonly listeners = new Set<() => void>();

  fire(): void {
    this.fired = true;
    for (const fn of [...this.listeners]) fn();
  }

  next(ms: number, signal?: AbortSignal): Promise<void> {
    return nextEvent(this.listeners, ms, signal);
  }
}

/** A waiter's claim on the replies of one request: look, and if nothing, wait for `next()`. */
export interface ReplyExpectation {
  /** True when a reply was announced since it was last set to false. */
  fired: boolean;
  next(ms: number, signal?: AbortSignal): Promise<void>;
  release(): void;
}

/** A queue's subscription as it was at one moment (Waiters.mark). */
export interface WatchMark {
  readonly watch: object;
  readonly generation: number;
}

export interface Watch {
  readonly generation: number;
  /** The subscription was live at `mark` and no wake came since: an attempt started then missed nothing. */
  unchangedSince(mark: WatchMark): boolean;
  wakeIn(ms: number): void;
  next(ms: number, signal?: AbortSignal): Promise<void>;
  release(): void;
}

export class Waiters {
  /** By channel name: the wake channels of queues with waiting receivers, the replied channels of queues with waiting wait()s. */
  private readonly watches = new Map<string, ChannelWatch>();

  constructor(private readonly subscriber: RedisClient, private readonly keys: KeySpace) {
    subscriber.on("message", (channel: string, payload: string) => this.watches.get(channel)?.onMessage(payload));
    // Publications sent while the subscriber was away are lost: after a reconnect everyone looks again,
    // once the subscriptions are back (ioredis re-sends them before 'ready'; a PING behind them
    // answers when Redis has done them).
    subscriber.on("ready", () => {
      void this.subscriber.ping().catch(() => {}).finally(() => this.wakeAll());
    });
  }

  /** Subscribe to the queue's wake channel (once per queue) and hold it until `release()`. */
  async hold(queue: string): Promise<Watch> {
    const channel = this.keys.queue(queue).wake;
    const watch = await this.subscribe(channel, () => new QueueWatch());
    return {
      get generation() {
        return watch.generation;
      },
      unchangedSince: (mark) => mark.watch === watch && mark.generation === watch.generation,
      wakeIn: (ms) => watch.wakeIn(ms),
      next: (ms, signal) => watch.next(ms, signal),
      release: () => this.release(channel, watch),
    };
  }

  /** Where the queue's live subscription stands now, or null when it has none (nobody holds or lingers on it). */
  mark(queue: string): WatchMark | null {
    const watch = this.watches.get(this.keys.queue(queue).wake);
    if (!(watch instanceof QueueWatch) || !watch.live || this.subscriber.status !== "ready") return null;
    return { watch, generation: watch.generation };
  }

  /** Whether the queue's replied channel is subscribed right now (so a reply from now on is announced here). */
  listeningForReplies(queue: string): boolean {
    return this.watches.get(this.keys.queue(queue).replied)?.live === true && this.subscriber.status === "ready";
  }

  /**
   * Listen for the reply to request `id` of `queue` until `release()`. Resolves once subscribed, or
   * with null when that takes longer than `ms` or `signal` aborts first.
   */
  async expectReply(queue: string, id: string, ms: number, signal?: AbortSignal): Promise<ReplyExpectation | null> {
    const channel = this.keys.queue(queue).replied;
    const subscribing = this.subscribe(channel, () => new ReplyWatch());
    const watch = await firstOf(subscribing, ms, signal);
    if (!watch) {
      void subscribing.then((w) => this.release(channel, w)).catch(() => {});
      return null;
    }
    const interest = new ReplyInterest();
    let interests = watch.expected.get(id);
    if (!interests) watch.expected.set(id, (interests = new Set()));
    interests.add(interest);
    return {
      get fired() {
        return interest.fired;
      },
      set fired(value: boolean) {
        interest.fired = value;
      },
      next: (ms, signal) => interest.next(ms, signal),
      release: () => {
        interests.delete(interest);
        if (interests.size === 0 && watch.expected.get(id) === interests) watch.expected.delete(id);
        this.release(channel, watch);
      },
    };
  }

  /** Wake every waiter (reconnect, shutdown). */
  wakeAll(): void {
    for (const w of this.watches.values()) w.wake();
  }

  /** Take a hold on a channel's watch, subscribing once per channel. */
  private async subscribe<W extends ChannelWatch>(channel: string, create: () => W): Promise<W> {
    let w = this.watches.get(channel) as W | undefined;
    if (!w) this.watches.set(channel, (w = create()));
    w.holders++;
    if (w.lingerTimer) clearTimeout(w.lingerTimer);
    w.lingerTimer = null;
    const watch = w;
    try {
      await (watch.subscribed ??= this.subscriber.subscribe(channel).then(
        () => (watch.live = true),
        (err: unknown) => {
          watch.subscribed = null;
          throw err;
        },
      ));
    } catch (err) {
      this.release(channel, watch);
      throw err;
    }
    return watch;
  }

  private release(channel: string, w: ChannelWatch): void {
    if (--w.holders > 0) return;
    w.idle();
    w.lingerTimer = setTimeout(() => {
      if (w.holders > 0 || this.watches.get(channel) !== w) return;
      this.watches.delete(channel);
      if (w.subscribed) this.subscriber.unsubscribe(channel).catch(() => {});
    }, LINGER_MS);
    w.lingerTimer.unref();
  }

  close(): void {
    for (const w of this.watches.values()) {
      w.idle();
      if (w.lingerTimer) clearTimeout(w.lingerTimer);
      w.wake();
    }
    this.watches.clear();
  }
}

/** `promise`'s value, or null when `ms` pass or `signal` aborts first. */
function firstOf<T>(promise: Promise<T>, ms: number, signal?: AbortSignal): Promise<T | null> {
  if (signal?.aborted || ms <= 0) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const done = (value: T | null) => {
      clearTimeout(timer);
      forget();
      resolve(value);
    };
    const quit = () => done(null);
    const timer = setTimeout(quit, ms);
    const forget = signal ? onAbort(signal, quit) : () => {};
    promise.then(done, (err: unknown) => {
      clearTimeout(timer);
      forget();
      reject(err);
    });
  });
}
