// A remote worker: another process, talking to a tinyqs server with @tinyqs/client.
//   pnpm start                                                 # at the repository root: the servers
//   TINYQS_URL=tinyqs://127.0.0.1:7379 node worker.mjs         # over TCP (the Redis protocol)
//   TINYQS_URL=http://127.0.0.1:7380 node worker.mjs           # the same code over HTTP
// It sends five jobs, then a worker (tq.process) handles them: job 3 fails once and is retried after
// the worker's backoff. Exits 0 when all five are done.
import { connect } from "@tinyqs/client";

const tq = connect(process.env.TINYQS_URL ?? "tinyqs://127.0.0.1:7379");
const queue = `example-remote-${process.pid}`;
const JOBS = 5;

for (let i = 1; i <= JOBS; i++) await tq.send(queue, JSON.stringify({ job: i }));
console.log(`producer: sent ${JOBS} jobs to ${queue} at ${process.env.TINYQS_URL ?? "tinyqs://127.0.0.1:7379"}`);

let done = 0;
const finished = new Promise((resolve) => {
  const worker = tq.process(
    queue,
    async (m) => {
      const { job } = JSON.parse(m.body.toString());
      if (job === 3 && m.receiveCount === 1) throw new Error("job 3 fails on its first delivery");
      console.log(`worker: job ${job} done (delivery ${m.receiveCount})`);
      if (++done === JOBS) resolve(worker);
    },
    { concurrency: 2, retryDelayMs: 200, onError: (err) => console.log(`worker: ${err.message}, retrying later`) },
  );
});

const worker = await finished;
await worker.close();
await tq.purge(queue);
await tq.close();
