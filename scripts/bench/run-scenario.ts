// One measured run of one scenario on one target. This mirrors runScenario() in the peers' harness
// (../shared/peers/lib/harness.mjs, pull style, blocking receive) step by step, so the figures are
// comparable: FLUSHDB and a fresh queue per run, 50 sends in flight, 50 receive→delete loops, the
// exactly-once check on the sequence number, the same phases and the same CPU/RSS meters. It adds
// send→receive latency and counts refused deletes (the harness would count them as deleted).
import { bodyMaker, seqOf } from "./bodies.js";
import { batchOf, latch, windowed } from "./flow.js";
import { LatencyRecorder } from "./latency.js";
import { prepareGrowth, type Growth } from "./growth.js";
import { openRunFrame, startLoops, type RunState } from "./run-frame.js";
import { scenarioOf, type ScenarioName, type Settings } from "./scenarios.js";
import type { QueueHandle, Target } from "./targets/types.js";

export interface PhaseResult {
  ms: number;
  msgsPerSec: number | null;
}

/** One run. Field names follow the harness's JSON lines, so its summarize.mjs can read these too. */
export interface RunResult {
  peer: string;
  target: string;
  scenario: ScenarioName;
  round: number;
  n: number;
  size: number;
  ok: boolean;
  error: string | null;
  lost: number;
  dupRecv: number;
  dupDel: number;
  deleteRefused: number;
  totalMs: number;
  msgsPerSec: number | null;
  phases: Record<string, PhaseResult>;
  latencyMs: { p50: number | null; p99: number | null; p999: number | null; max: number | null };
  peakRssMB: number;
  startRssMB: number;
  nodeCpuMs: number;
  redisCpuMs: number;
  nodeCpuUsPerMsg: number;
  redisCpuUsPerMsg: number;
  /** (Node CPU + Redis CPU) / wall time: how many cores the run kept busy (this machine has 2). */
  busyCores: number;
  settings: { window: number; concurrency: number; waitMs: number; batch?: number; recvBatch?: number; rate?: number };
  at: string;
  /** --backlog, --in-flight: what the queued messages cost Redis (beside a plain list's and a stream's, for --backlog). */
  growth?: Growth;
}

export interface RunOptions {
  redisUrl: string;
  settings: Settings;
  round: number;
  progress: boolean;
}

const now = () => performance.now();

/** One run's state, created once per run; the loops below read and write its fields (where the
 * runner once kept closure variables), so each step can be a function of its own without adding
 * work per message. */
export interface PullRun extends RunState {
  readonly n: number;
  /** Sequence numbers below this are valid: n, plus those queued before the run (growth.ts). */
  readonly seqLimit: number;
  /** Deletes that end the run: n, plus --due's delayed messages (which come due during it). */
  readonly toDelete: number;
  readonly S: Settings;
  readonly q: QueueHandle;
  readonly make: (seq: number) => string;
  readonly latency: LatencyRecorder;
  // bookkeeping: how often each sequence number was received and deleted
  readonly recvCount: Uint8Array;
  readonly delCount: Uint8Array;
  sent: number;
  distinctRecv: number;
  distinctDel: number;
  dupRecv: number;
  dupDel: number;
  deleteRefused: number;
  readonly allRecv: Latch;
  readonly allDeleted: Latch;
  /** phased3 (scenario A) holds what it received until everything was received. */
  readonly held: { ref: string; seq: number }[];
}

type Latch = ReturnType<typeof latch>;

function newPullRun(n: number, size: number, S: Settings, q: QueueHandle): PullRun {
  const make = bodyMaker(size);
  const seqLimit = n + S.inFlight + S.backlog + S.due;
  const latency = new LatencyRecorder(seqLimit);
  const recvCount = new Uint8Array(seqLimit);
  const delCount = new Uint8Array(seqLimit);
  const allRecv = latch();
  const allDeleted = latch();
  const run: PullRun = {
    n, seqLimit, toDelete: n + S.due, S, q, make, latency, recvCount, delCount, allRecv, allDeleted,
    sent: 0, distinctRecv: 0, distinctDel: 0, dupRecv: 0, dupDel: 0, deleteRefused: 0,
    lastProgress: now(),
    aborted: null,
    finished: false,
    held: [],
    abort: (why) => {
      run.aborted ??= why;
      allRecv.open();
      allDeleted.open();
    },
  };
  return run;
}

/** A received body: its sequence number (-1, and the run given up, when it has none below seqLimit). */
function onRecv(run: PullRun, body: Buffer | string): number {
  const { n, seqLimit } = run;
  const s = seqOf(body);
  if (s < 0 || s >= seqLimit) {
    run.abort(`a received body does not start with a sequence number below ${seqLimit}`);
    return -1;
  }
  const t = now();
  run.latency.received(s, t);
  run.lastProgress = t;
  if (run.recvCount[s]!++ === 0) {
    if (++run.distinctRecv === n) run.allRecv.open();
  } else run.dupRecv++;
  return s;
}

function onDel(run: PullRun, s: number, deleted: boolean): void {
  run.lastProgress = now();
  if (!deleted) {
    run.deleteRefused++; // the receipt was no longer current: the message was not deleted
    return;
  }
  if (run.delCount[s]!++ === 0) {
    if (++run.distinctDel === run.toDelete) run.allDeleted.open();
  } else run.dupDel++;
}

/** `window` sends in flight until all n are sent; with --batch, one sendBatch at a time, as the harness does. */
function produce(run: PullRun): Promise<void> {
  const { q, make, latency } = run;
  if (run.S.sendBatch) return produceBatches(run).catch((e: Error) => run.abort(`producer error: ${e.message}`));
  if (run.S.rate) return producePaced(run).catch((e: Error) => run.abort(`producer error: ${e.message}`));
  return windowed(run.n, run.S.window, async (i) => {
    await q.send(make(i));
    latency.sent(i, now());
    run.sent++;
    run.lastProgress = now();
  }, () => run.aborted !== null).catch((e: Error) => run.abort(`producer error: ${e.message}`));
}

/**
 * --rate: open loop. Every millisecond the producer issues the sends the clock says are due
 * (rate × elapsed), without waiting for earlier ones, so a slow consumer or a slow send shows up as
 * latency instead of slowing the offered load (a closed loop would hide it: coordinated omission).
 */
async function producePaced(run: PullRun): Promise<void> {
  const { n, q, make, latency } = run;
  const perMs = run.S.rate / 1000;
  const t0 = now();
  const inFlight = new Set<Promise<void>>();
  let issued = 0;
  while (issued < n && !run.aborted) {
    const due = Math.min(n, Math.floor((now() - t0) * perMs) + 1);
    for (; issued < due; issued++) {
      const seq = issued;
      const p = q.send(make(seq)).then(() => {
        latency.sent(seq, now());
        run.sent++;
        run.lastProgress = now();
        inFlight.delete(p);
      });
      inFlight.add(p);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inFlight);
}

async function produceBatches(run: PullRun): Promise<void> {
  const { n, q, make, latency } = run;
  const size = run.S.sendBatch;
  for (let i = 0; i < n && !run.aborted; i += size) {
    const seqs = Array.from({ length: Math.min(size, n - i) }, (_, k) => i + k);
    await batchOf(q).sendBatch(seqs.map(make));
    const t = now();
    for (const s of seqs) latency.sent(s, t);
    run.sent += seqs.length;
    run.lastProgress = t;
  }
}


/** Pull consumer: `concurrency` loops of receive(waitMs) → delete (phased3: → held). An empty receive
 * has already waited (long poll), so the loop goes straight back; there is no sleep anywhere. With
 * --batch (not in phased3, as in the harness), each loop receives up to recvBatch and deletes them
 * in one call. */
function consume(run: PullRun, phased3: boolean): Promise<void[]> {
  const { n, S, q, held } = run;
  const loop = async () => {
    if (S.recvBatch && !phased3) return batchLoop(run);
    while (!run.aborted && !run.finished && (phased3 ? run.distinctRecv < n : run.distinctDel < run.toDelete)) {
      const m = await q.receive(S.waitMs);
      if (!m) continue;
      const s = onRecv(run, m.body);
      if (s < 0) continue;
      if (phased3) held.push({ ref: m.ref, seq: s });
      else onDel(run, s, await q.delete(m.ref));
    }
  };
  return Promise.all(startLoops(run, S.concurrency, loop, "consumer"));
}

async function batchLoop(run: PullRun): Promise<void> {
  const { S } = run;
  const batch = batchOf(run.q);
  while (!run.aborted && !run.finished && run.distinctDel < run.toDelete) {
    const ms = await batch.receiveBatch(S.recvBatch, S.waitMs);
    if (ms.length === 0) continue;
    const seqs = ms.map((m) => onRecv(run, m.body));
    const done = await batch.deleteBatch(ms.map((m) => m.ref));
    seqs.forEach((s, i) => s >= 0 && onDel(run, s, done[i] === true));
  }
}

/** phased3's last phase: delete what was held, `concurrency` deletes in flight. */
function deleteHeld(run: PullRun): Promise<void> {
  const { q, held } = run;
  return windowed(held.length, run.S.concurrency, async (i) => onDel(run, held[i]!.seq, await q.delete(held[i]!.ref)), () => run.aborted !== null).catch(
    (e: Error) => run.abort(`delete error: ${e.message}`),
  );
}

export async function runScenario(target: Target, name: ScenarioName, opts: RunOptions): Promise<RunResult> {
  const { n, size, mode } = scenarioOf(name, opts.settings);
  if (mode === "request") throw new Error(`scenario ${name} is request/response: run-request-scenario.ts runs it`);
  const frame = await openRunFrame(target, name, opts);
  const run = newPullRun(n, size, opts.settings, frame.q);
  frame.watch(() => run.lastProgress, run.abort);
  frame.showProgress(() => ({ sent: run.sent, received: run.distinctRecv, deleted: run.distinctDel }));

  const growth = await prepareGrowth(frame, run);

  // The measured section, phase by phase as the harness times them; kept in one piece so that
  // splitting it adds no await between the clock readings.
  await frame.startMeters();
  const phases: Record<string, number> = {};
  const t0 = now();
  if (mode === "concurrent") {
    let tSent = NaN;
    const p = produce(run).then(() => (tSent = now()));
    void consume(run, false);
    await run.allDeleted.promise;
    await p;
    phases.send = tSent - t0;
  } else {
    await produce(run);
    const t1 = now();
    phases.send = t1 - t0;
    if (mode === "phased2") {
      void consume(run, false);
      await run.allDeleted.promise;
      phases.recvDelete = now() - t1;
    } else {
      void consume(run, true);
      await run.allRecv.promise;
      const t2 = now();
      phases.receive = t2 - t1;
      if (!run.aborted) {
        await deleteHeld(run);
        if (run.distinctDel < n) run.abort(`${n - run.distinctDel} held messages were not deleted`);
      }
      await run.allDeleted.promise;
      phases.delete = now() - t2;
    }
  }
  const total = now() - t0;
  run.finished = true;
  await frame.finish(total, growth.stop);

  const { aborted, distinctDel, dupRecv, dupDel, deleteRefused } = run;
  // With a backlog, loops still in flight when the last counted delete lands may delete a few more.
  const ok = !aborted && distinctDel >= run.toDelete && dupRecv === 0 && dupDel === 0 && deleteRefused === 0;
  return { ...frame.result({ ok, error: aborted, lost: Math.max(0, run.toDelete - distinctDel), dupRecv, dupDel, deleteRefused, latencyMs: run.latency.summary() }, phases), ...growth.report };
}
