// Fill a private redis-server (started with --maxmemory and noeviction) up to its maxmemory, and make
// room again: for the tests of what tinyqs does while Redis is full. The filler is plain keys of its
// own (`filler:<n>`), so no queue is touched, and Redis's own OOM refusal is what says "full".
// The filler's connection stays open until freeMemory: a connection closing gives its buffers back,
// which would leave Redis just under its maxmemory again.
import { Redis } from "ioredis";

const fillers = new Map<number, { redis: Redis; keys: number }>(); // port -> its filler

/**
 * Write filler keys until Redis refuses even a small one: Redis is full from then on, for every
 * write that grows memory. Values shrink as it fills (64 KiB down to 16 bytes): Redis counts the
 * command it is reading, so a 64 KiB write may be refused while a small one still fits. Redis gives
 * memory back by itself (buffers shrink), so call it again to stay full.
 */
export async function fillMemory(port: number): Promise<void> {
  let filler = fillers.get(port);
  if (!filler) fillers.set(port, (filler = { redis: new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 0 }), keys: 0 }));
  for (const size of [64 * 1024, 4096, 256, 16]) {
    const value = "f".repeat(size);
    for (let i = 0; ; i++) {
      if (i === 5000) throw new Error(`5000 writes of ${size} bytes went into the Redis on port ${port}: is its maxmemory set?`);
      const refused = await filler.redis.set(`filler:${filler.keys + 1}`, value).then(
        () => false,
        (e: Error) => {
          if (/^OOM\b/.test(e.message)) return true;
          throw e;
        },
      );
      if (refused) break;
      filler.keys++;
    }
  }
}

/** Delete every filler key and close the filler's connection: the Redis has its room back. */
export async function freeMemory(port: number): Promise<void> {
  const filler = fillers.get(port);
  if (!filler) return;
  fillers.delete(port);
  for (let from = 1; from <= filler.keys; from += 500) {
    await filler.redis.del(...Array.from({ length: Math.min(500, filler.keys - from + 1) }, (_, k) => `filler:${from + k}`));
  }
  filler.redis.disconnect();
}

/**
 * Keep the Redis full while a test runs (it gives memory back by itself as buffers shrink): fill it
 * again every 100 ms until stop(), which resolves with how many rounds ran.
 */
export function keepMemoryFull(port: number): { stop(): Promise<number> } {
  let running = true;
  let rounds = 0;
  const loop = (async () => {
    for (; running; rounds++) {
      await fillMemory(port);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return rounds;
    },
  };
}
