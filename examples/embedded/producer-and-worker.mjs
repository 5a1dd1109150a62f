// A producer and two workers sharing one embedded tinyqs engine.
//   pnpm --filter @tinyqs/example-embedded start     # on the Redis of a running `pnpm start`
//   TINYQS_REDIS_URL=redis://127.0.0.1:6379 pnpm --filter @tinyqs/example-embedded start
// The producer sends ten jobs; one of them fails on its first try, is released, and is retried.
// Prints one line per event and exits 0 once every job is done.
import { TinyQS } from "@tinyqs/core";
import { redisUrl } from "./redis-url.mjs";

const tq = new TinyQS({ redis: redisUrl() });
const queue = `example-jobs-${process.pid}`;
const JOBS = 10;

await tq.configure(queue, { visibilityMs: 5_000, maxReceives: 3 });
for (let i = 1; i <= JOBS; i++) await tq.send(queue, JSON.stringify({ job: i }));
console.log(`producer: sent ${JOBS} jobs to ${queue}`);

let done = 0;
async function worker(name) {
  while (done < JOBS) {
    const m = await tq.receive(queue, { waitMs: 1_000 });
    if (!m) continue;
    const { job } = JSON.parse(m.body.toString());
    if (job === 7 && m.receiveCount === 1) {
      console.log(`${name}: job ${job} failed on delivery ${m.receiveCount}, releasing it`);
      await tq.release(queue, m.receipt);
      continue;
    }
    await tq.delete(queue, m.receipt);
    done++;
    console.log(`${name}: job ${job} done (delivery ${m.receiveCount})`);
  }
}
await Promise.all([worker("worker-a"), worker("worker-b")]);

const stats = await tq.stats(queue);
console.log(`stats: sent ${stats.sent}, received ${stats.received}, deleted ${stats.deleted}, ready ${stats.ready}`);
await tq.purge(queue);
await tq.close();
