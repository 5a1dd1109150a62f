// Human-readable output: one line per finished run, then a table of medians per scenario (the
// same aggregation as the peers' summarize.mjs: the median of each figure over the verified runs).
import type { RunResult } from "./run-scenario.js";
import { SCENARIOS, type ScenarioName } from "./scenarios.js";

/** In R a "message" is a request, and the latency is its round trip (put issued → reply in hand). */
const isRequests = (s: ScenarioName) => SCENARIOS[s].mode === "request";

const int = (x: number | null | undefined) => (x == null || Number.isNaN(x) ? "–" : Math.round(x).toLocaleString("en-US"));
const ms = (x: number | null | undefined) => (x == null || Number.isNaN(x) ? "–" : x < 10 ? x.toFixed(1) : Math.round(x).toLocaleString("en-US"));

export function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const PHASE_LABEL: Record<string, string> = { send: "send", receive: "recv", delete: "del", recvDelete: "recv+del" };

function phasesText(rs: RunResult[]): string {
  const names = Object.keys(rs[0]?.phases ?? {});
  return names.map((p) => `${PHASE_LABEL[p] ?? p} ${int(median(rs.map((r) => r.phases[p]?.msgsPerSec ?? NaN).filter((v) => !Number.isNaN(v))))}`).join(" · ");
}

function check(r: RunResult): string {
  if (r.ok) return "ok";
  const requests = isRequests(r.scenario);
  const parts = [`lost ${r.lost}`, `${requests ? "taken twice" : "dup"} ${r.dupRecv}`];
  if (requests && r.dupDel) parts.push(`responded twice ${r.dupDel}`);
  if (r.deleteRefused) parts.push(`refused ${requests ? "responds" : "deletes"} ${r.deleteRefused}`);
  return `FAIL (${parts.join(", ")}${r.error ? `; ${r.error}` : ""})`;
}

export function runLine(r: RunResult): string {
  const requests = isRequests(r.scenario);
  return [
    `${r.scenario} round ${r.round}: ${int(r.msgsPerSec)} ${requests ? "requests/s" : "msgs/s"} in ${int(r.totalMs)} ms`,
    phasesText([r]),
    `${requests ? "round trip" : "latency"} p50 ${ms(r.latencyMs.p50)} ms p99 ${ms(r.latencyMs.p99)} ms p99.9 ${ms(r.latencyMs.p999)} ms`,
    `CPU/msg node ${r.nodeCpuUsPerMsg} µs redis ${r.redisCpuUsPerMsg} µs (${r.busyCores.toFixed(2)} cores busy)`,
    `peak RSS ${r.peakRssMB} MB`,
    growthText(r),
    check(r),
  ]
    .filter(Boolean) // R has no phases
    .join("  |  ");
}

/** Markdown table, one row per scenario, medians over the verified runs (failed runs are listed),
 * and a note on how R's row reads when it is there. */
export function summaryTable(results: RunResult[], scenarios: ScenarioName[]): string {
  const rows = [
    "| scenario | msgs/s | phases, msgs/s | p50 / p99 / p99.9 latency, ms | Node CPU µs/msg | Redis CPU µs/msg | cores busy | peak RSS MB | exactly-once |",
    "|---|---:|---|---:|---:|---:|---:|---:|---|",
  ];
  for (const s of scenarios) {
    const all = results.filter((r) => r.scenario === s);
    if (!all.length) continue;
    const ok = all.filter((r) => r.ok);
    const med = (get: (r: RunResult) => number | null) => median(ok.map(get).filter((v): v is number => v != null && !Number.isNaN(v)));
    const rates = ok.map((r) => r.msgsPerSec ?? NaN).filter((v) => !Number.isNaN(v));
    const range = rates.length > 1 ? ` (${int(Math.min(...rates))}–${int(Math.max(...rates))})` : "";
    const verdict = ok.length === all.length ? `${ok.length}/${all.length} ok` : `${ok.length}/${all.length} ok; ${all.filter((r) => !r.ok).map(check).join("; ")}`;
    rows.push(
      `| ${s} | ${ok.length ? int(med((r) => r.msgsPerSec)) + range : "FAIL"} | ${phasesText(ok) || "–"} | ${ms(med((r) => r.latencyMs.p50))} / ${ms(med((r) => r.latencyMs.p99))} / ${ms(med((r) => r.latencyMs.p999))} | ${int(med((r) => r.nodeCpuUsPerMsg))} | ${int(med((r) => r.redisCpuUsPerMsg))} | ${med((r) => r.busyCores)?.toFixed(2) ?? "–"} | ${int(med((r) => r.peakRssMB))} | ${verdict} |`,
    );
  }
  if (results.some((r) => isRequests(r.scenario))) {
    rows.push("", "R: msgs/s are requests/s, the latency is the round trip (put issued → reply in hand), and the CPU figures are per request.");
  }
  return rows.join("\n");
}

/** A front end against the engine in the same run: the ratio of their median msgs/s per scenario. */
export function ratioTable(results: RunResult[], scenarios: ScenarioName[], target: string): string {
  const rate = (t: string, s: ScenarioName) =>
    median(results.filter((r) => r.target === t && r.scenario === s && r.ok && r.msgsPerSec != null).map((r) => r.msgsPerSec!));
  const rows = [`| scenario | engine msgs/s | ${target} msgs/s | ${target} ÷ engine |`, "|---|---:|---:|---:|"];
  for (const s of scenarios) {
    const [e, t] = [rate("engine", s), rate(target, s)];
    if (e === null && t === null) continue;
    rows.push(`| ${s} | ${int(e)} | ${int(t)} | ${e && t ? `${Math.round((t / e) * 100)} %` : "–"} |`);
  }
  return rows.join("\n");
}

/** What growth.ts set up around the run, and what it cost Redis. */
function growthText(r: RunResult): string {
  const g = r.growth;
  if (!g) return "";
  return [
    g.inFlight && `in flight ${int(g.inFlight.messages)}: ${g.inFlight.bytesPerMsg} B/msg in Redis`,
    g.backlog && `backlog ${int(g.backlog.messages)}: ${g.backlog.bytesPerMsg} B/msg in Redis (raw list ${g.backlog.reference.rawList}, stream ${g.backlog.reference.redisStreams})`,
    g.due && `${int(g.due.messages)} due at once after ${g.due.dueAfterMs} ms`,
    g.idleQueues && `${int(g.idleQueues)} idle queues with a receiver each`,
  ].filter(Boolean).join(", ");
}
