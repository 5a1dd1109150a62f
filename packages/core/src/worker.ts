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
//
// In steps: the options are checked (arguments.ts: checkWorkerOptions), the receive loop fills free
// slots (receiveLoop), each message's lease is kept while its handler runs (keepLease), and the
// outcome settles it (settle: delete, or release with backoff).
import { checkQueueName, checkWorkerOptions, type WorkerSettings } from "./arguments.js";
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

type Report = (error: unknown, info: WorkerErrorInfo) => void;

const defaultOnError = (queue: string): Report => (error, info) => {
  const about = info.message ? ` (message ${info.message.id}, delivery ${info.message.receiveCount})` : "";
  console.error(`tinyqs worker on ${queue}: ${info.stage} failed${about}:`, error);
};

/** `onError`, kept from throwing: an onError that throws must not take the worker (or the process) down. */
const reporter = (onError: Report): Report => (error, info) => {
  try {
    onError(error, info);
  } catch {
    /* swallowed, see above */
  }
};

const lostReservation = (m: Message, what: string) =>
  new TinyQSError("NOT_FOUND", `the reservation of message ${m.id} (receipt ${m.receipt}) had ended ${what}; it may be with another worker`);

/** What every step of one worker shares. */
interface WorkerRun {
  api: TinyQSApi;
  queue: string;
  handler: Handler;
  settings: WorkerSettings;
  report: Report;
  /** Aborted by close(): ends the receive loop and its long poll. */
  stop: AbortController;
  slots: Slots;
}

/** The handler slots: how many run, the promises of those running, and a wake for the receive loop. */
class Slots {
  active = 0;
  readonly running = new Set<Promise<void>>();
  /** Wakes the receive loop while it waits for a free slot: a handler finished, or close(). */
  private wake: (() => void) | null = null;

  /** Run `task` in a slot; the slot is free again when it settles. */
  take(task: () => Promise<void>): void {
    this.active++;
    const p: Promise<void> = task().finally(() => {
      this.active--;
      this.running.delete(p);
      this.poke();
    });
    this.running.add(p);
  }

  /** Resolves when a slot may have come free (or on poke()). */
  async freed(): Promise<void> {
    await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = null;
  }

  poke(): void {
    this.wake?.();
  }

  /** Resolves when no handler runs any more. */
  async drained(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}

/** The lease of one message while its handler runs: touched every `every` ms until stopped. */
interface Lease {
  /** Aborts when a touch finds the reservation gone. */
  signal: AbortSignal;
  /** A touch found the reservation gone: the message is not ours any more. */
  readonly lost: boolean;
  /** Stop touching; resolves once no touch is on its way (none may land after a delete or release). */
  stop(): Promise<void>;
}

function keepLease(run: WorkerRun, m: Message, visibility: number): Lease {
  const { api, queue, report } = run;
  const lease = new AbortController();
  let lost = false;
  let touching: Promise<void> | null = null;
  const every = run.settings.touchIntervalMs ?? Math.max(1, Math.floor(visibility / 3));
  const timer = setInterval(() => {
    if (touching || lost) return; // the previous touch is still on its way
    touching = api
      .touch(queue, m.receipt!, { visibilityMs: visibility })
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
  return {
    signal: lease.signal,
    get lost() {
      return lost;
    },
    async stop() {
      clearInterval(timer);
      await touching;
    },
  };
}

/** The handler's outcome decides: resolved, delete; failed, release with a delay that doubles per delivery. */
async function settle(run: WorkerRun, m: Message, failed: boolean): Promise<void> {
  const { api, queue, report, settings } = run;
  const receipt = m.receipt!;
  if (!failed) {
    try {
      if (!(await api.delete(queue, receipt))) report(lostReservation(m, "before the handler finished"), { stage: "delete", message: m });
    } catch (e) {
      report(e, { stage: "delete", message: m }); // its lease ends and it comes back: at-least-once
    }
    return;
  }
  try {
    const delayMs = retryDelay(m.receiveCount, settings.retryDelayMs, settings.maxRetryDelayMs);
    if (!(await api.release(queue, receipt, { delayMs }))) {
      report(lostReservation(m, "before the handler failed"), { stage: "release", message: m });
    }
  } catch (e) {
    report(e, { stage: "release", message: m }); // it comes back when its lease ends
  }
}

async function handle(run: WorkerRun, m: Message, visibility: number): Promise<void> {
  const lease = keepLease(run, m, visibility);
  let failure: { error: unknown } | null = null;
  try {
    await run.handler(m, { signal: lease.signal });
  } catch (error) {
    failure = { error };
  }
  await lease.stop();
  if (failure) run.report(failure.error, { stage: "handler", message: m });
  if (lease.lost) return; // not ours any more: neither delete nor release it
  await settle(run, m, failure !== null);
}

/** Long-polls for as many messages as there are free slots, until close() or the api is closed. */
async function receiveLoop(run: WorkerRun): Promise<void> {
  const { api, queue, report, slots, settings } = run;
  let visibilityMs = settings.visibilityMs;
  let failures = 0; // receives failed in a row
  const { signal } = run.stop;
  while (!signal.aborted) {
    if (slots.active >= settings.concurrency) {
      await slots.freed();
      continue;
    }
    let messages: Message[];
    let visibility: number;
    try {
      visibility = visibilityMs ??= (await api.getConfig(queue)).visibilityMs;
      const max = settings.concurrency - slots.active;
      messages = await api.receiveBatch(queue, { max, waitMs: settings.waitMs, visibilityMs: visibility, signal });
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
    for (const m of messages) {
      slots.take(() => handle(run, m, visibility).catch((e: unknown) => report(e, { stage: "handler", message: m })));
    }
  }
}

/**
 * Start a worker on `queue`: receive, run `handler(message, { signal })`, delete on success, release
 * with exponential backoff on failure, keep the reservation alive while the handler runs.
 * Throws BAD_NAME / BAD_ARGUMENT at once for a bad queue name or option.
 */
export function createWorker(api: TinyQSApi, queue: string, handler: Handler, options: WorkerOptions = {}): Worker {
  checkQueueName(queue);
  if (typeof handler !== "function") throw new TinyQSError("BAD_ARGUMENT", "handler must be a function");
  const settings = checkWorkerOptions(options);
  const report = reporter(options.onError ?? defaultOnError(queue));
  const run: WorkerRun = { api, queue, handler, settings, report, stop: new AbortController(), slots: new Slots() };
  run.stop.signal.addEventListener("abort", () => run.slots.poke(), { once: true });

  const loop = receiveLoop(run).catch((e: unknown) => report(e, { stage: "receive" }));
  const done = loop.then(() => run.slots.drained());
  let closing: Promise<void> | null = null;

  return {
    get active() {
      return run.slots.active;
    },
    done,
    close() {
      return (closing ??= (() => {
        run.stop.abort();
        return done;
      })());
    },
  };
}
