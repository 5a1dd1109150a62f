// tinyqs adapter for the peers' harness (../shared/peers/lib/harness.mjs; shape at the top of that
// file, modelled on adapters/rsmq.mjs). scripts/bench-peers.sh copies it into the harness's
// adapters/ folder, so tinyqs runs interleaved with BullMQ, bee-queue, RSMQ and raw lists on one Redis.
//
// Pull style with a blocking receive (and, for `tinyqs+batch`, receiveBatch / deleteBatch): receive() long-polls (waitMs, default 200 ms, like the raw
// baselines' BRPOP 0.2), so the harness never sleeps between polls. Deletes use the receipt of the
// delivery, as a real worker would; a refused delete (stale receipt) throws, so the run fails loudly
// instead of being counted as deleted.
//
// The engine is the built package, loaded from an absolute path: TINYQS_CORE, or by default
// <repo>/packages/core/dist/index.js relative to this file's place in the repo (scripts/peers/).
import { fileURLToPath, pathToFileURL } from 'node:url';

const CORE = process.env.TINYQS_CORE || fileURLToPath(new URL('../../packages/core/dist/index.js', import.meta.url));
const WAIT_MS = Number(process.env.TINYQS_WAIT_MS || 200);

export default {
  name: 'tinyqs',
  async open({ host, port, queue, vtSeconds }) {
    const { TinyQS } = await import(pathToFileURL(CORE).href);
    const tq = new TinyQS({ redis: `redis://${host}:${port}` });
    // like RSMQ's createQueue with vt: the queue exists, with its reservation length, before the run
    await tq.configure(queue, { visibilityMs: vtSeconds * 1000 });
    return {
      blocking: true,
      send: (body) => tq.send(queue, body),
      sendBatch: (bodies) => tq.sendBatch(queue, bodies),
      receive: async () => {
        const m = await tq.receive(queue, { waitMs: WAIT_MS });
        return m ? { id: m.receipt, body: m.body } : null;
      },
      delete: async (receipt) => {
        if (!(await tq.delete(queue, receipt))) throw new Error(`delete refused: receipt ${receipt} is not current`);
      },
      // `+batch`: up to BENCH_RECV_BATCH per receive (one script call), and what one call received
      // deleted in one call (deleteBatch: one script call), as a batch worker would.
      receiveBatch: async (max) => {
        const ms = await tq.receiveBatch(queue, { max, waitMs: WAIT_MS });
        return ms.map((m) => ({ id: m.receipt, body: m.body }));
      },
      deleteBatch: async (receipts) => {
        const done = await tq.deleteBatch(queue, receipts);
        const refused = done.filter((ok) => !ok).length;
        if (refused) throw new Error(`deleteBatch refused ${refused} of ${receipts.length}: their receipts are not current`);
      },
      close: () => tq.close(),
    };
  },
};
