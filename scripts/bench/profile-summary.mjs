#!/usr/bin/env node
// Summarises V8 .cpuprofile files (from `pnpm bench --cpu-prof DIR` or `node --cpu-prof`): the top
// functions by self time, and our own code (packages/*/src or dist, scripts/bench) by inclusive
// time, so a hot path can be read without opening a flame-graph viewer.
// usage: node scripts/bench/profile-summary.mjs [--top N] FILE.cpuprofile...
import { readFileSync } from "node:fs";
import { basename } from "node:path";

const args = process.argv.slice(2);
let top = 25;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--top") top = Number(args[++i]);
  else files.push(args[i]);
}
if (!files.length) {
  console.error("usage: node scripts/bench/profile-summary.mjs [--top N] FILE.cpuprofile...");
  process.exit(2);
}

/** Where a frame comes from, short: the path from packages/ or node_modules/<pkg>, or node:internal. */
function place(url) {
  if (!url) return "";
  const m = /(packages\/[^/]+\/(?:src|dist)\/.*|scripts\/bench\/.*|node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\/.*)$/.exec(url);
  if (m) return m[2] ? `${m[2]}/${basename(url)}` : m[1].replace(/^.*tinyqs-bench\//, "");
  return url.replace(/^node:/, "node:");
}
const OURS = /packages\/[^/]+\/(src|dist)\/|scripts\/bench\//;

for (const file of files) {
  const p = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Self time per node from the samples and their time deltas (µs).
  const selfUs = new Map();
  for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const key = (n) => `${n.callFrame.functionName || "(anonymous)"} ${place(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  const self = new Map();
  const incl = new Map();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    const k = n.callFrame.url ? key(n) : n.callFrame.functionName;
    self.set(k, (self.get(k) ?? 0) + us);
    // Inclusive: every distinct function on the stack of this sample (once per stack).
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur);
      if (!OURS.test(f.callFrame.url)) continue;
      const fk = key(f);
      if (seen.has(fk)) continue;
      seen.add(fk);
      incl.set(fk, (incl.get(fk) ?? 0) + us);
    }
  }
  const idleUs = [...self].filter(([k]) => k === "(idle)").reduce((a, [, v]) => a + v, 0);
  const busy = total - idleUs;
  const pct = (us) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
  const ms = (us) => `${(us / 1000).toFixed(0).padStart(6)} ms`;
  console.log(`\n== ${basename(file)}: ${(busy / 1000).toFixed(0)} ms busy (${(idleUs / 1000).toFixed(0)} ms idle); % of busy`);
  console.log(`-- top ${top} by self time`);
  for (const [k, us] of [...self].filter(([k]) => k !== "(idle)").sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ${pct(us)}  ${k}`);
  // Self time by where the code lives: a package of ours, a dependency, node's internals, or the
  // native side of a call (socket writes, GC; V8 gives those no file).
  const byPlace = new Map();
  for (const [id, us] of selfUs) {
    const f = byId.get(id).callFrame;
    if (f.functionName === "(idle)") continue;
    const where = !f.url ? (f.functionName.startsWith("(") ? f.functionName : `native: ${f.functionName || "?"}`)
      : /packages\/([^/]+)\//.exec(f.url)?.[1] ?? /scripts\/bench\//.exec(f.url)?.[0] ?? (/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(f.url)?.[1]) ?? (f.url.startsWith("node:") ? "node internals" : f.url);
    const group = /tinyqs-bench/.test(f.url) ? "scripts/bench" : where;
    byPlace.set(group, (byPlace.get(group) ?? 0) + us);
  }
  console.log(`-- self time by place (top ${top})`);
  for (const [k, us] of [...byPlace].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ${pct(us)}  ${k}`);
  console.log(`-- our code by inclusive time (top ${top})`);
  for (const [k, us] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ${pct(us)}  ${k}`);
}
