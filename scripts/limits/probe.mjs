// Loaded into a server process by the limits run (`node --import ./probe.mjs`, with
// TINYQS_PROBE_FILE set): what the process's memory is made of and how long its event loop stalls,
// written as one JSON line every TINYQS_PROBE_MS (100 ms) to that file, so that a figure (RSS at its
// most, a slow normal reply) can be set beside heap, Buffers and GC at the same moment. Plain .mjs:
// node loads it before the server with no TypeScript step. It measures only; the server does not
// know it is there.
import { appendFileSync, writeFileSync } from "node:fs";
import { PerformanceObserver, constants, monitorEventLoopDelay } from "node:perf_hooks";

const file = process.env.TINYQS_PROBE_FILE;
if (file) {
  const every = Number(process.env.TINYQS_PROBE_MS ?? 100);
  const t0 = Date.now();
  writeFileSync(file, "");
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const kinds = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: "minor",
    [constants.NODE_PERFORMANCE_GC_MAJOR]: "major",
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weakcb",
  };
  // GC pauses since the last line: how many, their total and the longest, per kind.
  let gc = {};
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const k = kinds[e.detail?.kind ?? e.kind] ?? "other";
      const g = (gc[k] ??= { n: 0, ms: 0, maxMs: 0 });
      g.n++;
      g.ms += e.duration;
      g.maxMs = Math.max(g.maxMs, e.duration);
    }
  }).observe({ entryTypes: ["gc"] });
  let cpu = process.cpuUsage();
  const MiB = 1024 * 1024;
  const r = (x) => Math.round((x / MiB) * 10) / 10;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    const c = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    const line = {
      t: Date.now() - t0,
      rss: r(m.rss),
      heapUsed: r(m.heapUsed),
      heapTotal: r(m.heapTotal),
      external: r(m.external),
      arrayBuffers: r(m.arrayBuffers),
      // The longest the loop was late in the interval (ms): a reply waiting that long more.
      loopMaxMs: Math.round(loop.max / 1e5) / 10,
      loopP99Ms: Math.round(loop.percentile(99) / 1e5) / 10,
      cpuMs: Math.round((c.user + c.system) / 1000),
      gc,
    };
    gc = {};
    loop.reset();
    appendFileSync(file, JSON.stringify(line) + "\n");
  }, every);
  timer.unref();
}
