// The README's tour from Node, through a server: send, receive, touch and delete with
// @tinyqs/client. The same code over TCP or HTTP; only the URL changes.
//   TINYQS_URL=tinyqs://127.0.0.1:7379 pnpm --filter @tinyqs/example-remote-worker tour
//   TINYQS_URL=http://127.0.0.1:7380 pnpm --filter @tinyqs/example-remote-worker tour
import { connect } from "@tinyqs/client";

const tq = connect(process.env.TINYQS_URL || "tinyqs://127.0.0.1:7379");
const queue = process.env.TINYQS_QUEUE || "jobs";

console.log(`send    → ${await tq.send(queue, "resize 4.png")}`);
const m = await tq.receive(queue, { visibilityMs: 60_000 });
if (m) {
  console.log(`receive → "${m.body}" (receipt ${m.receipt}, delivery ${m.receiveCount})`);
  console.log(`touch   → ${await tq.touch(queue, m.receipt, { visibilityMs: 60_000 })}`);
  console.log(`delete  → ${await tq.delete(queue, m.receipt)}`);
} else {
  console.log("receive → nothing ready (another consumer was quicker)");
}
await tq.close();
