// The embedded engine: one TinyQS per run, shared by producer and consumer (as RSMQ's adapter shares
// one client), deleting by receipt as a real worker would; in R, shared by callers and responders.
//
// It imports the *built* package (packages/core/dist), which is what `pnpm bench` builds first and
// what users run; TINYQS_CORE points it at another build (e.g. an older checkout, to compare).
import { fileURLToPath, pathToFileURL } from "node:url";
import type { TinyQSApi } from "../../../packages/core/src/types.js";
import type { QueueHandle, Target } from "./types.js";

type TinyQSCtor = new (options: { redis: string; durability?: { replicas: number } }) => TinyQSApi;

const DEFAULT_CORE = fileURLToPath(new URL("../../../packages/core/dist/index.js", import.meta.url));

async function loadEngine(): Promise<TinyQSCtor> {
  const path = process.env.TINYQS_CORE || DEFAULT_CORE;
  let mod: { TinyQS?: TinyQSCtor };
  try {
    mod = (await import(pathToFileURL(path).href)) as { TinyQS?: TinyQSCtor };
  } catch (e) {
    throw new Error(`cannot load the engine from ${path} (run \`pnpm build\` first): ${(e as Error).message}`);
  }
  if (!mod.TinyQS) throw new Error(`${path} exports no TinyQS`);
  return mod.TinyQS;
}

const engine: Target = {
  name: "engine",
  async open({ redisUrl, queue, visibilityMs, durabilityReplicas }): Promise<QueueHandle> {
    const TinyQS = await loadEngine();
    const tq = new TinyQS({ redis: redisUrl, ...(durabilityReplicas ? { durability: { replicas: durabilityReplicas } } : {}) });
    // Like RSMQ's createQueue with its vt: the queue exists and has its reservation length up front.
    await tq.configure(queue, { visibilityMs });
    return {
      send: (body) => tq.send(queue, body),
      async receive(waitMs) {
        const m = await tq.receive(queue, { waitMs });
        return m ? { ref: m.receipt as string, body: m.body } : null;
      },
      delete: (ref) => tq.delete(queue, ref),
      batch: {
        sendBatch: (bodies, delayMs) => tq.sendBatch(queue, bodies, { delayMs }),
        async receiveBatch(max, waitMs) {
          return (await tq.receiveBatch(queue, { max, waitMs })).map((m) => ({ ref: m.receipt as string, body: m.body }));
        },
        deleteBatch: (refs) => tq.deleteBatch(queue, refs),
      },
      async idleReceivers(count) {
        const stop = new AbortController();
        const waits = Array.from({ length: count }, (_, i) =>
          tq.receive(`${queue}-idle-${i}`, { waitMs: 3_600_000, signal: stop.signal }).catch(() => null),
        );
        // growth.ts waits until they are all parked (subscribed, and the engine and Redis quiet) before the clock starts.
        return async () => {
          stop.abort();
          await Promise.all(waits);
        };
      },
      // A build from before request/response (TINYQS_CORE pointing at an older checkout) has no put.
      requests: typeof tq.put !== "function" ? undefined : {
        put: (body) => tq.put(queue, body),
        async take(waitMs) {
          const m = await tq.take(queue, { waitMs });
          return m ? { ref: m.receipt as string, body: m.body } : null;
        },
        respond: (ref, body) => tq.respond(queue, ref, body),
        wait: (handle, timeoutMs) => tq.wait(handle, { timeoutMs }),
      },
      close: () => tq.close(),
    };
  },
};

export default engine;
