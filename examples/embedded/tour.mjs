// The README's tour, embedded: send, receive, touch and delete with the engine in this process, no
// server in between. On the Redis of a running `pnpm start` (or TINYQS_REDIS_URL), so it sees the
// same queue as the redis-cli and curl lines of the tour.
//   pnpm --filter @tinyqs/example-embedded tour
import { TinyQS } from "@tinyqs/core";
import { redisUrl } from "./redis-url.mjs";

const tq = new TinyQS({ redis: redisUrl() });
const queue = process.env.TINYQS_QUEUE || "jobs";

console.log(`send    → ${await tq.send(queue, "resize 3.png")}`);
const m = await tq.receive(queue, { visibilityMs: 60_000 });
if (m) {
  console.log(`receive → "${m.body}" (receipt ${m.receipt}, delivery ${m.receiveCount})`);
  console.log(`touch   → ${await tq.touch(queue, m.receipt, { visibilityMs: 60_000 })}`);
  console.log(`delete  → ${await tq.delete(queue, m.receipt)}`);
} else {
  console.log("receive → nothing ready (another consumer was quicker)");
}
await tq.close();
