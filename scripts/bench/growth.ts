// Issue 12's "cost stays flat as work grows": what a run can have around it before its measured
// section starts, each set up untimed, so its rate can be read against an empty queue's in the same
// sitting (docs/benchmarks.md):
//   --in-flight N    N messages received before the run and held (their leases outlast it)
//   --backlog N      N ready messages queued (receives are oldest first: the run's consumers take
//                    these while its producer's go to the tail, so the queue holds about N throughout)
//   --due N          N messages sent delayed so that they all come due at once, 300 ms into the run;
//                    the run also receives and deletes them
//   --idle-queues N  N other queues with one receiver each long-polling them all run long; the clock
//                    starts once they are all parked (their set-up took 3-5 s for 10,000, and a fixed
//                    1 s wait let it run on into the measured section), and they are ended after the
//                    meters stop (ending 10,000 waits is not a cost of the run's messages)
// The queued messages carry sequence numbers above the run's own (n …): in-flight, then backlog, then due.
// For --in-flight and --backlog, what they cost Redis in memory: used_memory grown per message, body
// bytes excluded; for --backlog also the same count of the same bodies as a plain list (LPUSH) and as
// a stream (XADD) in the same Redis, each measured the same way and then deleted.
import type { Redis } from "ioredis";
import { batchOf } from "./flow.js";
import { redisCpuMs } from "./meters.js";
import type { PullRun } from "./run-scenario.js";
import type { RunFrame } from "./run-frame.js";

export interface Queued {
  messages: number;
  /** used_memory grown per message, body bytes excluded. */
  bytesPerMsg: number;
}

export interface Growth {
  inFlight?: Queued;
  backlog?: Queued & { reference: { rawList: number; redisStreams: number } };
  due?: { messages: number; dueAfterMs: number };
  idleQueues?: number;
}

const DUE_AFTER_MS = 300;

export async function prepareGrowth(frame: RunFrame, run: PullRun): Promise<{ report: { growth?: Growth }; stop(): Promise<void> }> {
  const { S, n } = run;
  const growth: Growth = {};
  let at = n;
  const range = (count: number) => Array.from({ length: count }, (_, k) => at + k);
  if (S.inFlight) {
    const seqs = range(S.inFlight);
    growth.inFlight = await measured(frame.admin, run, seqs, async () => {
      await sendAll(run, seqs);
      for (let held = 0; held < seqs.length; moved(run)) held += (await batchOf(run.q).receiveBatch(Math.min(1000, seqs.length - held), 1000)).length;
    });
    at += S.inFlight;
  }
  if (S.backlog) {
    const seqs = range(S.backlog);
    const queued = await measured(frame.admin, run, seqs, () => sendAll(run, seqs));
    growth.backlog = { ...queued, reference: await referenceCosts(frame.admin, seqs.length, bodySize(run), () => moved(run)) };
    at += S.backlog;
  }
  // Idle receivers first: their set-up takes seconds, and the due messages' clock starts when they are sent.
  let stop = async () => {};
  if (S.idleQueues) {
    if (!run.q.idleReceivers) throw new Error("this target cannot hold idle receivers (--idle-queues)");
    stop = await run.q.idleReceivers(S.idleQueues);
    await parked(frame.admin, S.idleQueues, () => moved(run));
    growth.idleQueues = S.idleQueues;
  }
  if (S.due) {
    const seqs = range(S.due);
    // One batch per 1,000 (the most a sendBatch takes), each delayed to the same instant.
    const dueAt = performance.now() + DUE_AFTER_MS;
    for (let i = 0; i < seqs.length; i += 1000) {
      await batchOf(run.q).sendBatch(seqs.slice(i, i + 1000).map(run.make), Math.max(1, Math.round(dueAt - performance.now())));
      moved(run);
    }
    growth.due = { messages: S.due, dueAfterMs: DUE_AFTER_MS };
  }
  return { report: Object.keys(growth).length ? { growth } : {}, stop };
}

/** How long the idle receivers may take to park before the run is given up. */
const PARK_LIMIT_MS = 120_000;
/** A window in which this process and Redis each used less than QUIET_SHARE of a core counts as quiet. */
const QUIET_WINDOW_MS = 200;
const QUIET_SHARE = 0.05;

/**
 * Wait until `count` idle receivers are parked: Redis has at least `count` channels subscribed and
 * then two windows in a row are quiet in this process and in Redis (the attempt each receiver makes
 * once subscribed is done, and so is the garbage collection after the burst).
 */
async function parked(admin: Redis, count: number, moved: () => void): Promise<void> {
  const t0 = performance.now();
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  for (let quiet = 0; quiet < 2; moved()) {
    if (performance.now() - t0 > PARK_LIMIT_MS) throw new Error(`${count} idle receivers were not parked after ${PARK_LIMIT_MS / 1000} s`);
    const [node0, redis0] = [cpuMs(), await redisCpuMs(admin)];
    await new Promise((r) => setTimeout(r, QUIET_WINDOW_MS));
    const busy = Math.max(cpuMs() - node0, (await redisCpuMs(admin)) - redis0) / QUIET_WINDOW_MS;
    const channels = Number(/^pubsub_channels:(\d+)/m.exec(await admin.info("stats"))?.[1] ?? 0);
    quiet = channels >= count && busy < QUIET_SHARE ? quiet + 1 : 0;
  }
}

async function sendAll(run: PullRun, seqs: number[]): Promise<void> {
  for (let i = 0; i < seqs.length; i += 1000, moved(run)) await batchOf(run.q).sendBatch(seqs.slice(i, i + 1000).map(run.make));
}

/**
 * The set-up moved: the run's stall watchdog is already watching (a set-up that hangs must end the
 * run too), and a large one (1,000,000 × 1 KiB, with its list and stream references: over a minute)
 * would otherwise look stalled before the measured section starts.
 */
const moved = (run: PullRun) => {
  run.lastProgress = performance.now();
};

const bodySize = (run: PullRun) => Buffer.byteLength(run.make(0));

async function measured(admin: Redis, run: PullRun, seqs: number[], fill: () => Promise<void>): Promise<Queued> {
  const before = await usedMemory(admin);
  await fill();
  const grown = (await usedMemory(admin)) - before;
  return { messages: seqs.length, bytesPerMsg: Math.round(grown / seqs.length - bodySize(run)) };
}

async function usedMemory(admin: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await admin.info("memory"))?.[1] ?? NaN);
}

/** Bytes per entry (body excluded) of `count` bodies of `size` bytes in a list and in a stream. */
async function referenceCosts(admin: Redis, count: number, size: number, moved: () => void): Promise<{ rawList: number; redisStreams: number }> {
  const body = "x".repeat(size);
  const cost = async (key: string, add: (n: number) => Promise<unknown>) => {
    const before = await usedMemory(admin);
    for (let i = 0; i < count; i += 1000, moved()) await add(Math.min(1000, count - i));
    const grown = (await usedMemory(admin)) - before;
    await admin.del(key); // not UNLINK: its background free would shrink the next measurement
    return Math.round(grown / count - size);
  };
  const list = `bench-reference-list-${process.pid}`;
  const stream = `bench-reference-stream-${process.pid}`;
  return {
    rawList: await cost(list, (n) => admin.lpush(list, ...Array.from({ length: n }, () => body))),
    redisStreams: await cost(stream, (n) => {
      const p = admin.pipeline();
      for (let k = 0; k < n; k++) p.xadd(stream, "*", "body", body);
      return p.exec();
    }),
  };
}
