// Waiting, in the two shapes every part of tinyqs needs: how long to wait before trying again
// (backoff), and a wait that ends early when its caller gives up or has news (sleep). The engine,
// the worker, both servers and the clients all use these two, so a retry policy reads the same
// everywhere and no wait outlives the signal that asked for it.

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
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    onWake?.(done);
  });
}
