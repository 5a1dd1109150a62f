// What every scenario runner (run-scenario.ts, run-request-scenario.ts) does around its own loops,
// the way the peers' harness does it: FLUSHDB and a fresh queue per run; a watchdog every 25 ms
// (stall and hard timeout) that also samples RSS; the progress line; the CPU meters around the
// measured section; at the end everything closed, and the result fields every run reports. Also the
// state both runners' loops share (RunState) and how both start their `concurrency` loops.
import { Redis } from "ioredis";
import { RssPeak, startCpuMeter, type CpuFigures } from "./meters.js";
import { startProgress, type Counts, type ProgressWords } from "./progress.js";
import type { RunOptions, RunResult } from "./run-scenario.js";
import { scenarioOf, type ScenarioName } from "./scenarios.js";
import type { QueueHandle, Target } from "./targets/types.js";

const now = () => performance.now();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The part of a runner's state (one object per run, which its loops read and write) that the
 * watchdog and the loops below look at. */
export interface RunState {
  /** When the run last moved (performance.now()), for the watchdog's stall check. */
  lastProgress: number;
  /** Why the run was given up, or null. */
  aborted: string | null;
  /** The measured section is over: loops stop, and their errors (close() failing a waiting receive) are not errors. */
  finished: boolean;
  /** Give the run up (the first reason is kept) and release whatever the measured section awaits. */
  readonly abort: (why: string) => void;
}

/** Start `count` copies of `loop`; one that throws gives the run up as a "<what> error", unless the run is already over. */
export function startLoops(run: RunState, count: number, loop: () => Promise<void>, what: string): Promise<void>[] {
  return Array.from({ length: count }, () =>
    loop().catch((e: Error) => {
      // once the run is over, close() may fail a receive (or take) that was still waiting: not an error
      if (!run.aborted && !run.finished) run.abort(`${what} error: ${e.message}`);
    }),
  );
}

export interface RunFrame {
  q: QueueHandle;
  admin: Redis;
  /** Start the watchdog: abort when `progressAt()` (when the run last moved) is older than the stall limit, or at the hard timeout. */
  watch(progressAt: () => number, abort: (why: string) => void): void;
  /** With --progress, show the live progress line (MESSAGE_WORDS unless `words`) until finish(). */
  showProgress(counts: () => Counts, words?: ProgressWords): void;
  /** Start the CPU meters: the measured section begins. */
  startMeters(): Promise<void>;
  /** The measured section ended `totalMs` after it began: stop the progress line, the meters and the watchdog, run `afterMeters` (unmeasured clean-up), close the queue (at most 5 s) and Redis. */
  finish(totalMs: number, afterMeters?: () => Promise<void>): Promise<void>;
  /** Close without measuring (the target could not run the scenario). */
  close(): Promise<void>;
  /** The fields every run reports, with the runner's own (ok, counts, latency) and its phases' lengths in ms. */
  result(own: Pick<RunResult, "ok" | "error" | "lost" | "dupRecv" | "dupDel" | "deleteRefused" | "latencyMs">, phasesMs?: Record<string, number>): RunResult;
}

export async function openRunFrame(target: Target, name: ScenarioName, opts: RunOptions): Promise<RunFrame> {
  const { n, size } = scenarioOf(name, opts.settings);
  const S = opts.settings;
  const rss = new RssPeak();
  const startRssMB = rss.mb;
  const queue = `bench_${target.name}_${name}_${Date.now()}_${process.pid}`;
  const admin = new Redis(opts.redisUrl, { maxRetriesPerRequest: 1 });
  await admin.flushdb();
  const q = await target.open({ redisUrl: opts.redisUrl, queue, visibilityMs: S.visibilityMs, durabilityReplicas: S.durabilityReplicas });

  let sampler: NodeJS.Timeout | undefined;
  let stopProgress = () => {};
  let cpu: Awaited<ReturnType<typeof startCpuMeter>> | undefined;
  let measured: { totalMs: number; costs: CpuFigures; peakRssMB: number } | undefined;
  const close = async () => {
    clearInterval(sampler);
    await Promise.race([q.close().catch(() => {}), sleep(5000)]);
    admin.disconnect();
  };
  return {
    q,
    admin,
    watch(progressAt, abort) {
      const tStart = now();
      sampler = setInterval(() => {
        rss.sample();
        const t = now();
        if (t - progressAt() > S.stallMs) abort(`stalled: no progress for ${S.stallMs} ms`);
        if (t - tStart > S.timeoutMs) abort(`timed out after ${S.timeoutMs} ms`);
      }, 25);
    },
    showProgress(counts, words) {
      if (opts.progress) stopProgress = startProgress(`[${name} round ${opts.round}]`, n, counts, words);
    },
    async startMeters() {
      cpu = await startCpuMeter(admin);
    },
    async finish(totalMs, afterMeters) {
      stopProgress();
      const costs = await cpu!.stop(n, totalMs);
      clearInterval(sampler);
      measured = { totalMs, costs, peakRssMB: rss.mb };
      await afterMeters?.();
      await close();
    },
    close,
    result(own, phasesMs = {}) {
      const { totalMs, costs, peakRssMB } = measured!;
      const rate = (ms: number) => (ms > 0 ? Math.round(n / (ms / 1000)) : null);
      return {
        peer: `tinyqs-${target.name}${S.sendBatch ? "+batch" : ""}${S.rate ? `@${S.rate}/s` : ""}`,
        target: target.name,
        scenario: name,
        round: opts.round,
        n,
        size,
        ...own,
        totalMs: Math.round(totalMs),
        // n ÷ time means nothing when not all n made it
        msgsPerSec: own.ok ? rate(totalMs) : null,
        phases: Object.fromEntries(Object.entries(phasesMs).map(([k, ms]) => [k, { ms: Math.round(ms), msgsPerSec: own.ok ? rate(ms) : null }])),
        peakRssMB,
        startRssMB,
        ...costs,
        settings: { window: S.window, concurrency: S.concurrency, waitMs: S.waitMs, ...(S.sendBatch ? { batch: S.sendBatch, recvBatch: S.recvBatch } : {}), ...(S.rate ? { rate: S.rate } : {}) },
        at: new Date().toISOString(),
      };
    },
  };
}
