#!/usr/bin/env node
// usage: node scripts/peers/ratios.mjs results.jsonl [...]
// tinyqs against the peers from the same run, checked against the targets of issue 2:
//   C and D: msgs/s >= 2.5x the fastest of BullMQ, bee-queue and RSMQ, and ahead of raw-list;
//   Redis CPU per message <= 1/3 of RSMQ's.
// Medians over the verified runs, as in the harness's summarize.mjs.
import { readFileSync } from 'node:fs';

const rows = process.argv.slice(2).flatMap((f) => readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)));
const median = (xs) => { if (!xs.length) return null; const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const med = (peer, scenario, get) => median(rows.filter((r) => r.peer === peer && r.scenario === scenario && r.ok).map(get).filter((v) => v != null));
const rate = (r) => r.msgsPerSec;
const redisUs = (r) => (r.redisCpuMs == null ? null : (r.redisCpuMs * 1000) / r.n);
const fmt = (x) => (x == null ? '–' : Math.round(x).toLocaleString('en-US'));
const ratio = (a, b) => (a == null || b == null || !b ? '–' : `${(a / b).toFixed(2)}×`);
const verdict = (ok) => (ok == null ? '' : ok ? ' ✓' : ' ✗');
const TARGETED = ['C', 'D']; // the issue sets targets for these; other scenarios show ratios only

const TQ = process.env.TINYQS_ROW || 'tinyqs';
const CLASSIC = ['bullmq', 'bee-queue', 'rsmq'];
const scenarios = [...new Set(rows.map((r) => r.scenario))].sort();

console.log(`\n### ${TQ} vs the peers, same run (medians of verified runs)\n`);
console.log('| scenario | tinyqs msgs/s | fastest of BullMQ / bee-queue / RSMQ | tinyqs ÷ fastest (target ≥ 2.5×) | raw-list | tinyqs ÷ raw-list (target > 1) | Redis CPU µs/msg: tinyqs / RSMQ (target ≤ 0.33) |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const s of scenarios) {
  const v = (ok) => (TARGETED.includes(s) ? verdict(ok) : '');
  const t = med(TQ, s, rate);
  const classic = CLASSIC.map((p) => [p, med(p, s, rate)]).filter(([, v]) => v != null).sort((a, b) => b[1] - a[1]);
  const [bestName, best] = classic[0] ?? ['–', null];
  const raw = med('raw-list', s, rate);
  const tr = med(TQ, s, redisUs), rr = med('rsmq', s, redisUs);
  console.log(`| ${s} | ${fmt(t)} | ${fmt(best)} (${bestName}) | ${ratio(t, best)}${v(t && best ? t / best >= 2.5 : null)} | ${fmt(raw)} | ${ratio(t, raw)}${v(t && raw ? t > raw : null)} | ${tr == null ? '–' : tr.toFixed(0)} / ${rr == null ? '–' : rr.toFixed(0)} = ${ratio(tr, rr)}${v(tr != null && rr ? tr / rr <= 1 / 3 : null)} |`);
}
// How much of the machine each implementation kept busy: (Node CPU + Redis CPU) / wall time, in
// cores. On 2 cores, a low figure means the client and Redis mostly took turns instead of overlapping.
const peers = [...new Set(rows.map((r) => r.peer))];
console.log(`\n### Cores busy: (Node CPU + Redis CPU) ÷ wall time, median\n`);
console.log(`| peer | ${scenarios.join(' | ')} |\n|---|${scenarios.map(() => '---:').join('|')}|`);
for (const p of peers) console.log(`| ${p} | ${scenarios.map((s) => { const c = med(p, s, (r) => (r.redisCpuMs == null ? null : (r.nodeCpuMs + r.redisCpuMs) / r.totalMs)); return c == null ? '–' : c.toFixed(2); }).join(' | ')} |`);

const mine = rows.filter((r) => r.peer === TQ);
console.log(`\n${TQ}: ${mine.filter((r) => r.ok).length}/${mine.length} runs verified exactly-once.`);
