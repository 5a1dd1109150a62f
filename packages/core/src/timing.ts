// Waiting, in the two shapes every part of tinyqs needs: how long to wait before trying again
// (backoff), and a wait that ends early when its caller gives up or has news (sleep). The engine,
// the worker, both servers and the clients all use these two, so a retry policy reads the same
// everywhere and no wait outlives the signal that asked for it. Both sleep and the reply wait's
// subscribe (waiters.ts) listen to a signal through onAbort, so that thousands of waits on one
// signal stay cheap to start and to end.

/**
 * The wait before attempt `attempt` (1, 2, …) of something that keeps failing: `firstMs`, doubling
 * per attempt, at most `maxMs`. With `random`, a point in the upper half of that step ([step/2,
 * step]), so that many clients cut at the same moment do not all come back in the same millisecond
 * while the wait still grows attempt by attempt and never passes the cap.
 */
export function backoff(attempt: number, firstMs: number, maxMs: number, random?: () => number): number {
  const n = Math.max(1, Math.floor(attempt));
  // 2^60 is far past any cap; stop doubling before the number turns into Infinity.
  const step = Math.min(maxMs, firstMs * 2 ** Math.min(n - 1, 60));
  return Math.round(random ? step * (0.5 + random() / 2) : step);
}

/**
 * Resolves after `ms`, or at once when `signal` aborts (or has already aborted), or when the function
 * handed to `onWake` is called — whichever comes first. It never rejects: a wait cut short is an
 * answer ("stop waiting"), not an error. `onWake` lets the caller keep that function where news
 * arrives (a wake from Redis, a push on a socket, a freed slot).
 */
export function sleep(ms: number, signal?: AbortSignal, onWake?: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      forget();
      resolve();
    };
    const timer = setTimeout(done, ms);
    const forget = signal ? onAbort(signal, done) : () => {};
    onWake?.(done);
  });
}

/** The waits on one signal: what to call when it aborts, and its one 'abort' listener. */
interface AbortWaits {
  readonly fns: Set<() => void>;
  readonly fire: () => void;
}

const waitsBySignal = new WeakMap<AbortSignal, AbortWaits>();

/**
 * Call `fn` once when `signal` aborts (it must not have aborted yet); the function returned forgets
 * it. However many wait on one signal, the signal gets one listener: Node's EventTarget walks its
 * list of listeners on every add (to refuse a duplicate) and every remove, so N waits on one signal
 * cost O(N²). 10,000 long polls sharing one signal (a server's shutdown signal, the benchmark's idle
 * receivers) took 0.33 s of CPU to start and as much again to end; with one listener, a few ms.
 */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  let waits = waitsBySignal.get(signal);
  if (!waits) {
    const fns = new Set<() => void>();
    const fire = () => {
      waitsBySignal.delete(signal);
      for (const f of fns) f();
    };
    waitsBySignal.set(signal, (waits = { fns, fire }));
    signal.addEventListener("abort", fire, { once: true });
  }
  const mine = waits;
  mine.fns.add(fn);
  return () => {
    mine.fns.delete(fn);
    // The last wait gone: leave nothing on a signal that may live on (a worker's, a connection's).
    if (mine.fns.size === 0 && waitsBySignal.get(signal) === mine) {
      waitsBySignal.delete(signal);
      signal.removeEventListener("abort", mine.fire);
    }
  };
}
