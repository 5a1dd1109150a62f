// One slow job through a worker: for the tests that a lease is kept while a handler runs longer than
// the visibility timeout (under a full Redis, say). Works with any TinyQSApi's process().
import type { TinyQSApi } from "@tinyqs/core";

export interface SlowHandlerRun {
  /** The receiveCount of each delivery the handler got (one, [1], when the lease was kept). */
  deliveries: number[];
  /** What the worker's onError heard. */
  errors: unknown[];
}

/**
 * Run `api.process(queue, …)` with a handler that takes `handlerMs`, until it has handled one
 * message and the delete after it has landed (`watch`'s stats show nothing in flight), then close it.
 */
export async function runOneSlowHandler(api: TinyQSApi, watch: TinyQSApi, queue: string, handlerMs: number, visibilityMs: number): Promise<SlowHandlerRun> {
  const run: SlowHandlerRun = { deliveries: [], errors: [] };
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const worker = api.process(
    queue,
    async (m) => {
      run.deliveries.push(m.receiveCount);
      await new Promise((resolve) => setTimeout(resolve, handlerMs));
      finish();
    },
    { visibilityMs, onError: (e) => run.errors.push(e) },
  );
  await finished;
  for (let i = 0; i < 200 && (await watch.stats(queue)).inFlight > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  await worker.close();
  return run;
}
