// What a queued message costs Redis in memory, for --backlog: tinyqs's figure is measured by the run
// (run-scenario.ts), and the same count of the same bodies is stored here once as a plain list
// (LPUSH, what raw-list keeps: no reservation at all) and once as a stream (XADD, what a Redis
// Streams consumer group keeps before XREADGROUP), each measured the same way and then deleted, so
// the three figures come from one Redis in one run.
import type { Redis } from "ioredis";

export interface Backlog {
  messages: number;
  /** used_memory grown per queued message, body bytes excluded. */
  bytesPerMsg: number;
  reference: { rawList: number; redisStreams: number };
}

export async function usedMemory(admin: Redis): Promise<number> {
  const info = await admin.info("memory");
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

/** Bytes per entry (body excluded) of `count` bodies of `size` bytes in a list and in a stream. */
export async function referenceCosts(admin: Redis, count: number, size: number): Promise<Backlog["reference"]> {
  const body = "x".repeat(size);
  const cost = async (key: string, add: (n: number) => Promise<unknown>) => {
    const before = await usedMemory(admin);
    for (let i = 0; i < count; i += 1000) await add(Math.min(1000, count - i));
    const grown = (await usedMemory(admin)) - before;
    await admin.del(key); // not UNLINK: its background free would shrink the next measurement
    return Math.round(grown / count - size);
  };
  const list = `bench-reference-list-${process.pid}`;
  const stream = `bench-reference-stream-${process.pid}`;
  return {
    rawList: await cost(list, (n) => admin.lpush(list, ...Array.from({ length: n }, () => body))),
    redisStreams: await cost(stream, (n) => {
      const p = admin.pipeline();
      for (let k = 0; k < n; k++) p.xadd(stream, "*", "body", body);
      return p.exec();
    }),
  };
}
