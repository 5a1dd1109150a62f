// `pnpm failovers`: acknowledged sends lost across Redis Cluster failovers, with and without
// `durability: { replicas: 1 }` (issue 11). A 3-master Cluster with one replica per master; an
// engine sends sequence-numbered messages to one queue, 32 at a time, counting every send that was
// acknowledged; the master of the queue's slot is SIGKILLed, its replica promoted, the killed node
// started again (it rejoins as the new master's replica, so the next failover has someone to
// promote), five times; then the queue is drained and every acknowledged sequence number looked
// for. Prints one line per mode. Not part of `pnpm test` (a minute or two): the figures go in
// docs/reliability.md ("the failover window").
// The engine as built (`pnpm failovers` builds first): the repository root has no dependency on it.
import { TinyQS } from "../../packages/core/dist/index.js";
import { keySlot, rawCommand, RedisCluster, sleep, uniqueQueue } from "@tinyqs/test-support";

const FAILOVERS = Number(process.env.FAILOVERS) || 5;
const IN_FLIGHT = 32;

async function run(label: string, durability: { replicas: number; timeoutMs: number } | undefined): Promise<string> {
  const cluster = await RedisCluster.start(3, { replicas: 1 });
  const engine = new TinyQS({ redis: { cluster: cluster.nodes }, timeoutMs: 1000, durability });
  const queue = uniqueQueue("failovers");
  const acked = new Set<number>();
  let attempted = 0;
  let failed = 0;
  let sending = true;
  const lanes = Array.from({ length: IN_FLIGHT }, async () => {
    while (sending) {
      const seq = attempted++;
      try {
        await engine.send(queue, String(seq));
        acked.add(seq);
      } catch {
        failed++;
        await sleep(20);
      }
    }
  });
  try {
    for (let i = 0; i < FAILOVERS; i++) {
      await sleep(1500);
      const slot = keySlot(queue);
      const master = await cluster.masterOf(slot);
      await master.kill();
      for (let t = 0; ; t++) {
        const now = await cluster.masterOf(slot).catch(() => null);
        if (now && now !== master) break;
        if (t > 600) throw new Error("no replica was promoted within 30 s");
        await sleep(50);
      }
      await master.restart(); // rejoins as a replica of the promoted node
      await cluster.waitOk();
      // The next failover needs someone to promote: until the old master replicates the new one.
      for (let t = 0; ; t++) {
        const info = await rawCommand(master.port, ["INFO", "replication"]).catch(() => "");
        if (/role:slave/.test(info) && /master_link_status:up/.test(info)) break;
        if (t > 600) throw new Error(`the restarted node did not become an up-to-date replica within 30 s: ${info}`);
        await sleep(50);
      }
    }
    await sleep(1500);
  } finally {
    sending = false;
    await Promise.all(lanes);
  }
  const found = new Set<number>();
  for (;;) {
    const got = await engine.receiveBatch(queue, { max: 1000, visibilityMs: 600_000 });
    if (got.length === 0) break;
    for (const m of got) found.add(Number(m.body.toString()));
  }
  const lost = [...acked].filter((s) => !found.has(s)).length;
  await engine.close();
  await cluster.cleanup();
  return `failovers: ${label} failovers=${FAILOVERS} attempted=${attempted} acked=${acked.size} failed=${failed} lostAcked=${lost}`;
}

const modes = process.argv.includes("--durability-only") ? [] : [["default (asynchronous replication)", undefined] as const];
for (const [label, durability] of [...modes, ["durability.replicas=1", { replicas: 1, timeoutMs: 800 }] as const]) {
  console.log(await run(label, durability));
}
process.exit(0);
