// What a queued message costs Redis beyond its body, by layout (issue 12: "Redis memory per queued
// message ≤ 1.5× redis-streams'"). On a private redis-server, for bodies of 32, 1000, 1024 and
// 1100 bytes, N messages (default 200,000) stored three ways, each from an empty Redis:
//   - hash+list: the body a field of a hash under its id, the id in a list (tinyqs's ready layout:
//     the bodies hash and the ready list; ids shaped like tinyqs's "<ms>-<seq>");
//   - stream: XADD of the body (what redis-streams stores);
//   - list: the body itself in a list (raw-list).
// Prints used_memory after minus before, per message, less the body. No tinyqs code runs: this is
// the data structures' own cost, what any layout built on them pays.
// Run: npx tsx scripts/memory-layout/main.ts [--messages N]
import { Redis } from "ioredis";
import { RedisServer } from "@tinyqs/test-support/redis-server";

const at = process.argv.indexOf("--messages");
const N = at < 0 ? 200_000 : Number(process.argv[at + 1]);
const redis = await RedisServer.start();
const r = new Redis(redis.url);
const used = async () => Number(/used_memory:(\d+)/.exec(await r.info("memory"))![1]);
try {
  console.log(`| body | hash + list (tinyqs) | stream | list |\n|---:|---:|---:|---:|`);
  for (const size of [32, 1000, 1024, 1100]) {
    const body = Buffer.alloc(size, 0x61);
    const row: number[] = [];
    for (const kind of ["hash+list", "stream", "list"]) {
      await r.flushall();
      const before = await used();
      for (let i = 0; i < N; i += 1000) {
        const p = r.pipeline();
        for (let k = i; k < Math.min(N, i + 1000); k++) {
          const id = `1764770000000-${k}`;
          if (kind === "hash+list") p.hset("bodies", id, body).rpush("ready", id);
          else if (kind === "stream") p.xadd("stream", "*", "body", body);
          else p.rpush("list", body);
        }
        await p.exec();
      }
      row.push(Math.round(((await used()) - before) / N - size));
    }
    console.log(`| ${size} B | ${row.join(" B | ")} B |`);
  }
} finally {
  r.disconnect();
  await redis.stop();
}
