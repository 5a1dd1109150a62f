// Request/response through a tinyqs server: a caller asks and waits for the answer; a remote
// worker takes each request and responds. Two clients here (as two processes would be):
//   pnpm start                                                          # at the repository root
//   TINYQS_URL=tinyqs://127.0.0.1:7379 node request-response.mjs       # over TCP
//   TINYQS_URL=http://127.0.0.1:7380 node request-response.mjs         # the same code over HTTP
// The first request is taken by a worker that stalls past its lease: its late respond is refused
// (false) and the request, delivered again, is answered by the next take. Exits 0 when all three
// callers got their answers.
import { connect } from "@tinyqs/client";

const url = process.env.TINYQS_URL ?? "tinyqs://127.0.0.1:7379";
const queue = `example-rpc-${process.pid}`;
const caller = connect(url);
const worker = connect(url);

// The worker: take a request, work, respond. A respond after the lease ran out is refused.
const serving = (async () => {
  for (let answered = 0; answered < 3; ) {
    const m = await worker.take(queue, { waitMs: 10_000, visibilityMs: 1000 });
    if (!m) continue;
    const n = Number(m.body.toString());
    if (m.receiveCount === 1 && n === 1) {
      await new Promise((r) => setTimeout(r, 1500)); // longer than the lease
      const ok = await worker.respond(queue, m.receipt, String(n * n));
      console.log(`worker: late answer to ${n} refused (respond → ${ok}); it will come again`);
      continue;
    }
    if (await worker.respond(queue, m.receipt, String(n * n))) answered++;
    console.log(`worker: answered ${n} (delivery ${m.receiveCount})`);
  }
})();

// The callers: request() is put + wait; the reply comes back to the caller that asked.
const answers = await Promise.all([1, 2, 3].map((n) => caller.request(queue, String(n), { timeoutMs: 15_000 })));
answers.forEach((a, i) => console.log(`caller: ${i + 1} squared is ${a.toString()}`));

// The same in two steps: put() returns a handle, wait() collects the reply with it, once.
const handle = await caller.put(queue, "4");
const serveOne = (async () => {
  const m = await worker.take(queue, { waitMs: 10_000 });
  await worker.respond(queue, m.receipt, String(Number(m.body.toString()) ** 2));
})();
console.log(`caller: 4 squared is ${(await caller.wait(handle, { timeoutMs: 15_000 })).toString()} (handle ${handle})`);

await Promise.all([serving, serveOne]);
await caller.purge(queue);
await Promise.all([caller.close(), worker.close()]);
