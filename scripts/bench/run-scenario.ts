// One measured run of one scenario on one target. This mirrors runScenario() in the peers' harness
// (../shared/peers/lib/harness.mjs, pull style, blocking receive) step by step, so the figures are
// comparable: FLUSHDB and a fresh queue per run, 50 sends in flight, 50 receive→delete loops, the
// exactly-once check on the sequence number, the same phases and the same CPU/RSS meters. It adds
// send→receive latency and counts refused deletes (the harness would count them as deleted).
import { bodyMaker, seqOf } from "./bodies.js";
import { latch, windowed } from "./flow.js";
import { LatencyRecorder } from "./latency.js";
import { startProgress } from "./progress.js";
import { openRunFrame } from "./run-frame.js";
import { SCENARIOS, type ScenarioName, type Settings } from "./scenarios.js";
import type { Target } from "./targets/types.js";

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
  latencyMs: { p50: number | null; p99: number | null; max: number | null };
  peakRssMB: number;
  startRssMB: number;
  nodeCpuMs: number;
  redisCpuMs: number;
  nodeCpuUsPerMsg: number;
  redisCpuUsPerMsg: number;
  /** (Node CPU + Redis CPU) / wall time: how many cores the run kept busy (this machine has 2). */
  busyCores: number;
  settings: { window: number; concurrency: number; waitMs: number };
  at: string;
}

export interface RunOptions {
  redisUrl: string;
  settings: Settings;
  round: number;
  progress: boolean;
}

const now = () => performance.now();

export async function runScenario(target: Target, name: ScenarioName, opts: RunOptions): Promise<RunResult> {
  const { n, size, mode } = SCENARIOS[name];
  if (mode === "request") throw new Error(`scenario ${name} is request/response: run-request-scenario.ts runs it`);
  const S = opts.settings;
  const frame = await openRunFrame(target, name, opts);
  const { q } = frame;
  const make = bodyMaker(size);
  const latency = new LatencyRecorder(n);

  // bookkeeping: how often each sequence number was received and deleted
  const recvCount = new Uint8Array(n);
  const delCount = new Uint8Array(n);
  let sent = 0, distinctRecv = 0, distinctDel = 0, dupRecv = 0, dupDel = 0, deleteRefused = 0;
  let lastProgress = now();
  let aborted: string | null = null;
  let finished = false;
  const allRecv = latch();
  const allDeleted = latch();
  const abort = (why: string) => {
    aborted ??= why;
    allRecv.open();
    allDeleted.open();
  };

  const onRecv = (body: Buffer | string): number => {
    const s = seqOf(body);
    if (s < 0 || s >= n) {
      abort(`a received body does not start with a sequence number below ${n}`);
      return -1;
    }
    const t = now();
    latency.received(s, t);
    lastProgress = t;
    if (recvCount[s]!++ === 0) {
      if (++distinctRecv === n) allRecv.open();
    } else dupRecv++;
    return s;
  };
  const onDel = (s: number, deleted: boolean) => {
    lastProgress = now();
    if (!deleted) {
      deleteRefused++; // the receipt was no longer current: the message was not deleted
      return;
    }
    if (delCount[s]!++ === 0) {
      if (++distinctDel === n) allDeleted.open();
    } else dupDel++;
  };

  frame.watch(() => lastProgress, abort);
  const stopProgress = opts.progress
    ? startProgress(`[${name} round ${opts.round}]`, n, () => ({ sent, received: distinctRecv, deleted: distinctDel }))
    : () => {};

  const produce = () =>
    windowed(n, S.window, async (i) => {
      await q.send(make(i));
      latency.sent(i, now());
      sent++;
      lastProgress = now();
    }, () => aborted !== null).catch((e: Error) => abort(`producer error: ${e.message}`));

  // Pull consumer: `concurrency` loops of receive(waitMs) → delete. An empty receive has already
  // waited (long poll), so the loop goes straight back; there is no sleep anywhere.
  // phased3 (scenario A) holds what it received until everything was received.
  const held: { ref: string; seq: number }[] = [];
  const consume = (phased3: boolean) => {
    const loop = async () => {
      while (!aborted && !finished && (phased3 ? distinctRecv < n : distinctDel < n)) {
        const m = await q.receive(S.waitMs);
        if (!m) continue;
        const s = onRecv(m.body);
        if (s < 0) continue;
        if (phased3) held.push({ ref: m.ref, seq: s });
        else onDel(s, await q.delete(m.ref));
      }
    };
    const loops = Array.from({ length: S.concurrency }, () =>
      loop().catch((e: Error) => {
        // once the run is over, close() may fail a receive that was still waiting: not an error
        if (!aborted && !finished) abort(`consumer error: ${e.message}`);
      }),
    );
    return Promise.all(loops);
  };

  await frame.startMeters();
  const phases: Record<string, number> = {};
  const t0 = now();
  if (mode === "concurrent") {
    let tSent = NaN;
    const p = produce().then(() => (tSent = now()));
    void consume(false);
    await allDeleted.promise;
    await p;
    phases.send = tSent - t0;
  } else {
    await produce();
    const t1 = now();
    phases.send = t1 - t0;
    if (mode === "phased2") {
      void consume(false);
      await allDeleted.promise;
      phases.recvDelete = now() - t1;
    } else {
      void consume(true);
      await allRecv.promise;
      const t2 = now();
      phases.receive = t2 - t1;
      if (!aborted) {
        await windowed(held.length, S.concurrency, async (i) => onDel(held[i]!.seq, await q.delete(held[i]!.ref)), () => aborted !== null).catch(
          (e: Error) => abort(`delete error: ${e.message}`),
        );
        if (distinctDel < n) abort(`${n - distinctDel} held messages were not deleted`);
      }
      await allDeleted.promise;
      phases.delete = now() - t2;
    }
  }
  const total = now() - t0;
  finished = true;
  stopProgress();
  await frame.finish(total);

  const ok = !aborted && distinctDel === n && dupRecv === 0 && dupDel === 0 && deleteRefused === 0;
  return frame.result({ ok, error: aborted, lost: n - distinctDel, dupRecv, dupDel, deleteRefused, latencyMs: latency.summary() }, phases);
}
