// The original spec's scenarios A–E and the run settings, with the same values as the peers' harness
// (../shared/peers/lib/harness.mjs), so tinyqs figures can be read next to theirs. R is the spec's
// "same shapes for request/response (put-wait / take-respond)", in C's shape: 20 000 × 1 KiB, callers
// and responders at the same time (the peers have no request/response, so it has no peer figures).

export type ScenarioName = "A" | "B" | "C" | "D" | "E" | "R";
/** "request": callers put + wait, responders take + respond (run-request-scenario.ts); the others
 * send / receive / delete (run-scenario.ts). */
export type Mode = "phased3" | "phased2" | "concurrent" | "request";

export interface Scenario {
  n: number;
  size: number;
  mode: Mode;
  desc: string;
}

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  A: { n: 20_000, size: 1024, mode: "phased3", desc: "send all, then receive all, then delete all" },
  B: { n: 20_000, size: 1024, mode: "phased2", desc: "send all, then receive+delete all" },
  C: { n: 20_000, size: 1024, mode: "concurrent", desc: "send / receive+delete at the same time" },
  D: { n: 200_000, size: 32, mode: "concurrent", desc: "send / receive+delete at the same time" },
  E: { n: 200, size: 32_768, mode: "concurrent", desc: "send / receive+delete at the same time" },
  R: { n: 20_000, size: 1024, mode: "request", desc: "put+wait / take+respond at the same time" },
};

export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

export function isScenarioName(s: string): s is ScenarioName {
  return (SCENARIO_NAMES as string[]).includes(s);
}

export interface Settings {
  /** Sends in flight (single-message API); in R, requests in flight (put → wait). Harness: BENCH_WINDOW, 50. */
  window: number;
  /** receive→delete loops; in R, take→respond loops. Harness: BENCH_CONCURRENCY, 50. */
  concurrency: number;
  /** Long-poll length of each receive; the loops never sleep, an empty receive just waits this long. */
  waitMs: number;
  /** Reservation length. Harness: BENCH_VT, 120 s. */
  visibilityMs: number;
  /** No progress for this long: give up and report what was lost. Harness: BENCH_STALL_MS, 20 s. */
  stallMs: number;
  /** Hard limit for one run, so a hung run cannot hang the benchmark. */
  timeoutMs: number;
  /** `--batch`, the peers' `+batch` mode: sendBatch of `sendBatch` bodies, receiveBatch of up to
   * `recvBatch` per call and one deleteBatch per receive (0: the single-message API). Harness:
   * BENCH_BATCH 1000, BENCH_RECV_BATCH 100. */
  sendBatch: number;
  recvBatch: number;
  /** `--rate R`: open loop, the producer sends R msgs/s on a clock whatever the consumer does (0: closed loop, `window` in flight). */
  rate: number;
  /** `--messages N`: the scenario's message count instead of its own (0: the scenario's). */
  messages: number;
  /** growth.ts: messages queued before the measured section, and other queues' idle receivers (0: none). */
  backlog: number;
  inFlight: number;
  due: number;
  idleQueues: number;
  /** The engine target: replicas each write waits for (durability.replicas); the private Redis gets that many. */
  durabilityReplicas: number;
}

export const DEFAULT_SETTINGS: Settings = {
  window: 50,
  concurrency: 50,
  waitMs: 200,
  visibilityMs: 120_000,
  stallMs: 20_000,
  timeoutMs: 180_000,
  sendBatch: 0,
  recvBatch: 0,
  rate: 0,
  messages: 0,
  backlog: 0,
  inFlight: 0,
  due: 0,
  idleQueues: 0,
  durabilityReplicas: 0,
};

/** A scenario as this run has it: its own n unless --messages says otherwise. */
export function scenarioOf(name: ScenarioName, S: Settings): Scenario {
  const sc = SCENARIOS[name];
  return S.messages ? { ...sc, n: S.messages } : sc;
}

/** What `--batch` sets: the harness's defaults. */
export const BATCH_SETTINGS = { sendBatch: 1000, recvBatch: 100 } as const;
