// The worker: a loop that receives messages from one queue and runs a handler on each, for the
// engine and for every remote client alike (it only uses the TinyQSApi interface).
//
//   receive ──► handler(message) ──► resolved: delete
//                    │                rejected: release with a delay that doubles per delivery
//                    └── while it runs: touch every visibilityMs/3, so the reservation never ends
//
// One receiving loop asks for as many messages as there are free handler slots (receiveBatch with a
// long poll), so no message sits reserved while it waits for a slot. close() aborts that long poll
// through its AbortSignal (a message reserved at that instant goes straight back), then waits for
// the handlers in flight and their delete/release. Dead letters are the queue's business: with
// `maxReceives` set, the receive that would deliver a failing message once too often moves it to the
// dead-letter queue; the worker never dead-letters by itself.
import { LIMITS, checkInt, checkQueueName, checkVisibilityMs } from "./arguments.js";
import { WORKER_DEFAULTS } from "./defaults.js";
import { TinyQSError, isTinyQSError } from "./errors.js";
import { backoff, sleep } from "./timing.js";
import type { Message, TinyQSApi } from "./types.js";

export interface HandlerContext {
  /**
   * Aborts when the reservation is found lost (a touch said it is gone: the lease ran out, say after
   * a long pause of the process, and the message may be with another worker now). A handler may
   * stop early then; whatever it does, the worker neither deletes nor releases that delivery.
   */
  signal: AbortSignal;
}

export type Handler = (message: Message, context: HandlerContext) => unknown;

/** Where an error reported to `onError` happened. */
export type WorkerStage = "handler" | "receive" | "touch" | "delete" | "release";

export interface WorkerErrorInfo {
  stage: WorkerStage;
  /** The message being handled; absent for receive errors. */
  message?: Message;
}

export interface WorkerOptions {
  /** Handlers running at once (1–1000; default 1). Never more messages than this are reserved. */
  concurrency?: number;
  /**
   * Reservation length of each receive and touch (1 ms – 12 h). Default: the queue's setting, read
   * once when the worker starts.
   */
  visibilityMs?: number;
  /** How often a running handler's reservation is renewed (default visibilityMs / 3). */
  touchIntervalMs?: number;
  /** Length of each long poll (1 ms – 1 h; default 20 000, the HTTP server's ceiling). */
  waitMs?: number;
  /** Delay before the first retry of a failed message (default 1000 ms); it doubles per delivery. */
  retryDelayMs?: number;
  /** The most the retry delay grows to (default 300 000 ms: 5 minutes; at most 7 days). */
  maxRetryDelayMs?: number;
  /**
   * Gets every error: a handler's (stage "handler"; the message is then released for a retry),
   * a failed receive (the worker waits, 100 ms doubling to 5 s, and tries again), a failed or
   * refused touch, delete or release (a lost reservation is a TinyQSError NOT_FOUND). Errors never
   * escape the worker. Default: one line on stderr (console.error).
   */
  onError?: (error: unknown, info: WorkerErrorInfo) => void;
}

export interface Worker {
  /**
   * Stop receiving (the waiting long poll is aborted; nothing is left reserved by it), wait for the
   * handlers in flight and their delete or release, and resolve. Idempotent.
   */
  close(): Promise<void>;
  /** Handlers running now. */
  readonly active: number;
  /** Resolves when the worker has stopped: after close(), or when the api it uses was closed (CLOSED). */
  readonly done: Promise<void>;
}

export { WORKER_DEFAULTS };

/**
 * The delay before the next delivery of a message whose handler failed on delivery `receiveCount`:
 * `retryDelayMs * 2^(receiveCount-1)`, at most `maxRetryDelayMs`.
 */
export function retryDelay(
  receiveCount: number,
  retryDelayMs: number = WORKER_DEFAULTS.retryDelayMs,
  maxRetryDelayMs: number = WORKER_DEFAULTS.maxRetryDelayMs,
): number {
  return backoff(receiveCount, retryDelayMs, maxRetryDelayMs);
}

const defaultOnError = (queue: string) => (error: unknown, info: WorkerErrorInfo) => {
  const about = info.message ? ` (message ${info.message.id}, delivery ${info.message.receiveCount})` : "";
  console.error(`tinyqs worker on ${queue}: ${info.stage} failed${about}:`, error);
};

/**
 * Start a worker on `queue`: receive, run `handler(message, { signal })`, delete on success, release
 * with exponential backoff on failure, keep the reservation alive while the handler runs.
 * Throws BAD_NAME / BAD_ARGUMENT at once for a bad queue name or option.
 */
export function createWorker(api: TinyQSApi, queue: string, handler: Handler, options: WorkerOptions = {}): Worker {
  checkQueueName(queue);
  if (typeof handler !== "function") throw new TinyQSError("BAD_ARGUMENT", "handler must be a function");
  const concurrency = checkInt("concurrency", options.concurrency, 1, LIMITS.maxBatch, WORKER_DEFAULTS.concurrency);
  const waitMs = checkInt("waitMs", options.waitMs, 1, LIMITS.maxWaitMs, WORKER_DEFAULTS.waitMs);
  const retryDelayMs = checkInt("retryDelayMs", options.retryDelayMs, 0, LIMITS.maxDelayMs, WORKER_DEFAULTS.retryDelayMs);
  const maxRetryDelayMs = checkInt(
    "maxRetryDelayMs", options.maxRetryDelayMs, 0, LIMITS.maxDelayMs, Math.max(retryDelayMs, WORKER_DEFAULTS.maxRetryDelayMs),
  );
  let visibilityMs = checkVisibilityMs(options.visibilityMs);
  const touchIntervalOption =
    options.touchIntervalMs === undefined ? undefined : checkInt("touchIntervalMs", options.touchIntervalMs, 1, LIMITS.maxVisibilityMs);
  const onError = options.onError ?? defaultOnError(queue);

  const report = (error: unknown, info: WorkerErrorInfo) => {
    try {
      onError(error, info);
    } catch {
      /* an onError that throws must not take the worker (or the process) down */
    }
  };

  const stop = new AbortController();
  let active = 0;
  /** Wakes the receiving loop while it waits for a free slot: a handler finished, or close(). */
  let wake: (() => void) | null = null;
  stop.signal.addEventListener("abort", () => wake?.(), { once: true });
  const running = new Set<Promise<void>>();

  const lostReservation = (m: Message, what: string) =>
    new TinyQSError("NOT_FOUND", `the reservation of message ${m.id} (receipt ${m.receipt}) had ended ${what}; it may be with another worker`);

  async function handle(m: Message, visibility: number): Promise<void> {
    const receipt = m.receipt!;
    const lease = new AbortController();
    let lost = false;
    let touching: Promise<void> | null = null;
    const every = touchIntervalOption ?? Math.max(1, Math.floor(visibility / 3));
    const timer = setInterval(() => {
      if (touching || lost) return; // the previous touch is still on its way
      touching = api
        .touch(queue, receipt, { visibilityMs: visibility })
        .then(
          (ok) => {
            if (ok || lost) return;
            lost = true;
            const e = lostReservation(m, "when the worker renewed it");
            lease.abort(e);
            report(e, { stage: "touch", message: m });
          },
          (e: unknown) => report(e, { stage: "touch", message: m }), // maybe transient: try again next time
        )
        .finally(() => (touching = null));
    }, every);

    let failure: { error: unknown } | null = null;
    try {
      await handler(m, { signal: lease.signal });
    } catch (error) {
      failure = { error };
    }
    clearInterval(timer);
    await touching; // no touch may land after the delete or release

    if (failure) report(failure.error, { stage: "handler", message: m });
    if (lost) return; // not ours any more: neither delete nor release it
    if (!failure) {
      try {
        if (!(await api.delete(queue, receipt))) report(lostReservation(m, "before the handler finished"), { stage: "delete", message: m });
      } catch (e) {
        report(e, { stage: "delete", message: m }); // its lease ends and it comes back: at-least-once
      }
    } else {
      try {
        const delayMs = retryDelay(m.receiveCount, retryDelayMs, maxRetryDelayMs);
        if (!(await api.release(queue, receipt, { delayMs }))) {
          report(lostReservation(m, "before the handler failed"), { stage: "release", message: m });
        }
      } catch (e) {
        report(e, { stage: "release", message: m }); // it comes back when its lease ends
      }
    }
  }

  function start(m: Message, visibility: number) {
    active++;
    const p: Promise<void> = handle(m, visibility)
      .catch((e: unknown) => report(e, { stage: "handler", message: m }))
      .finally(() => {
        active--;
        running.delete(p);
        wake?.();
      });
    running.add(p);
  }

  async function receiveLoop(): Promise<void> {
    let failures = 0; // receives failed in a row
    const { signal } = stop;
    while (!signal.aborted) {
      if (active >= concurrency) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        continue;
      }
      let messages: Message[];
      let visibility: number;
      try {
        visibility = visibilityMs ??= (await api.getConfig(queue)).visibilityMs;
        messages = await api.receiveBatch(queue, { max: concurrency - active, waitMs, visibilityMs: visibility, signal });
        failures = 0;
      } catch (e) {
        if (signal.aborted) break;
        report(e, { stage: "receive" });
        if (isTinyQSError(e) && e.code === "CLOSED") break; // the api was closed under us: nothing more to do
        await sleep(backoff(++failures, WORKER_DEFAULTS.receiveErrorMs, WORKER_DEFAULTS.receiveErrorMaxMs), signal); // cut short by close()
        continue;
      }
      if (signal.aborted) {
        // A client that could not take back what it reserved as the poll was cut: give it back now
        // rather than let it wait out its lease. (The engine returns nothing after an abort.)
        await Promise.all(messages.map((m) => api.release(queue, m.receipt!).catch(() => false)));
        break;
      }
      for (const m of messages) start(m, visibility);
    }
  }

  const loop = receiveLoop().catch((e: unknown) => report(e, { stage: "receive" }));
  const done = loop.then(async () => {
    while (running.size > 0) await Promise.all([...running]);
  });
  let closing: Promise<void> | null = null;

  return {
    get active() {
      return active;
    },
    done,
    close() {
      return (closing ??= (() => {
        stop.abort();
        return done;
      })());
    },
  };
}
