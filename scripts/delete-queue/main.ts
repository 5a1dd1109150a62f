// How long deleting a large queue blocks Redis (issue 14: deleteQueue "in bounded steps that never
// block Redis for long"). On a private redis-server: fill a queue with N messages of 32 bytes
// (default 1,000,000), then delete it and measure, while a second connection PINGs Redis in a loop:
//   - the engine's deleteQueue (one UNLINK of the queue's keys: Redis frees big values in its
//     background thread), and, for comparison, the same keys removed by one DEL (what deleteQueue
//     did before: the values freed in the main thread);
//   - for each: the command's own time in Redis (SLOWLOG, µs), the longest PING round trip seen
//     during it (ms: how long another client waited), and the wall time of the call.
// Run: npx tsx scripts/delete-queue/main.ts [--messages N]
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
// The built engine (pnpm build), as a user of the package gets it; the root has no dependency on it.
import { TinyQS, KeySpace } from "../../packages/core/dist/index.js";
import { RedisServer } from "@tinyqs/test-support/redis-server";

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
};
const N = arg("messages", 1_000_000);
const BODY = "x".repeat(32);

async function fill(tq: TinyQS, queue: string): Promise<void> {
  const batch = Array.from({ length: 1000 }, () => BODY);
  for (let sent = 0; sent < N; sent += 8000) {
    await Promise.all(Array.from({ length: Math.min(8, (N - sent) / 1000) }, () => tq.sendBatch(queue, batch)));
  }
  await tq.send(queue, BODY, { delayMs: 3_600_000 }); // one delayed too, and some in flight
  await tq.receiveBatch(queue, { max: 1000, visibilityMs: 3_600_000 });
}

/** Runs `act` while PINGing on `pinger`; the longest PING round trip (ms) and the act's wall time. */
async function whilePinging(pinger: Redis, act: () => Promise<unknown>): Promise<{ maxPingMs: number; wallMs: number }> {
  let done = false;
  let maxPingMs = 0;
  const pinging = (async () => {
    while (!done) {
      const t = performance.now();
      await pinger.ping();
      maxPingMs = Math.max(maxPingMs, performance.now() - t);
    }
  })();
  const t = performance.now();
  await act();
  const wallMs = performance.now() - t;
  done = true;
  await pinging;
  return { maxPingMs, wallMs };
}

/** The longest time Redis spent in a command named `name` since the last SLOWLOG RESET, in µs. */
async function slowest(admin: Redis, name: string): Promise<number> {
  const log = (await admin.slowlog("GET", 128)) as Array<[number, number, number, string[]]>;
  return Math.max(0, ...log.filter((e) => e[3][0]?.toUpperCase() === name).map((e) => e[2]));
}

const redis = await RedisServer.start();
const admin = new Redis(redis.url);
const pinger = new Redis(redis.url);
const tq = new TinyQS({ redis: redis.url, onWarning: () => {} });
try {
  await admin.config("SET", "slowlog-log-slower-than", "0");
  await admin.config("SET", "slowlog-max-len", "128");
  const keys = new KeySpace();
  const rows: string[] = [];
  for (const how of ["DEL (before)", "UNLINK (deleteQueue)"] as const) {
    const q = `big-${how.startsWith("DEL") ? "del" : "unlink"}`;
    const t = performance.now();
    await fill(tq, q);
    const fillS = (performance.now() - t) / 1000;
    const used = Number(/used_memory:(\d+)/.exec(await admin.info("memory"))![1]);
    await admin.slowlog("RESET");
    const names = Object.entries(keys.queue(q)).filter(([k]) => k !== "wake" && k !== "replied").map(([, v]) => v);
    const { maxPingMs, wallMs } = await whilePinging(pinger, () => (how.startsWith("DEL") ? admin.del(...names) : tq.deleteQueue(q)));
    const us = await slowest(admin, how.startsWith("DEL") ? "DEL" : "UNLINK");
    const stats = await tq.stats(q);
    if (stats.ready + stats.inFlight + stats.delayed !== 0) throw new Error(`${q} not empty after delete: ${JSON.stringify(stats)}`);
    rows.push(`| ${how} | ${N.toLocaleString("en")} | ${(used / 2 ** 20).toFixed(0)} MiB | ${(us / 1000).toFixed(2)} ms | ${maxPingMs.toFixed(2)} ms | ${wallMs.toFixed(1)} ms | ${fillS.toFixed(1)} s |`);
  }
  console.log("| how | messages | used_memory before | Redis time of the command (SLOWLOG) | longest PING during it | wall time of the call | fill time |");
  console.log("|---|---|---|---|---|---|---|");
  for (const r of rows) console.log(r);
} finally {
  await tq.close();
  admin.disconnect();
  pinger.disconnect();
  await redis.cleanup();
}
