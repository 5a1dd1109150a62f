// Where the sampler reads from: the engine's statsMany (one round trip for all watched queues, and
// the queue list with them), or, for a server given another TinyQSApi (a client of another server),
// queues() and one stats() per queue, all at once: more round trips, the same numbers.
import type { QueueStats, TinyQSApi } from "@tinyqs/core";
import type { StatsSource } from "./sampler.js";

type WithStatsMany = TinyQSApi & { statsMany(queues: readonly string[], o: { listQueues?: boolean }): Promise<{ stats: QueueStats[]; queues?: string[] }> };

export function statsSource(engine: TinyQSApi, counted: TinyQSApi): StatsSource {
  if (typeof (engine as Partial<WithStatsMany>).statsMany === "function") {
    const e = engine as WithStatsMany;
    return (queues, listQueues) => e.statsMany(queues, { listQueues });
  }
  return async (queues, listQueues) => {
    const [listed, stats] = await Promise.all([listQueues ? counted.queues() : undefined, Promise.all(queues.map((q) => counted.stats(q)))]);
    return listed ? { stats, queues: listed } : { stats };
  };
}
