// Small helpers shared by the measured runs (run-scenario.ts for A–E, run-request-scenario.ts for R)
// and what growth.ts sets up before them.
import type { BatchHandle, QueueHandle } from "./targets/types.js";

/** Run fn(i) for i in [0, n) with at most `width` calls in flight (the harness's windowed()),
 * stopping early once `stop()` says the run was given up. */
export async function windowed(n: number, width: number, fn: (i: number) => Promise<void>, stop = () => false): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < n && !stop()) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, lane));
}

/** A promise with its resolve function, resolvable from several places. */
export function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

/** The target's batch verbs (--batch, and growth.ts's queued messages), or a clear error without them. */
export function batchOf(q: QueueHandle): BatchHandle {
  if (!q.batch) throw new Error("this target has no batch verbs (--batch)");
  return q.batch;
}
