// 16 stuck pipelining clients on tinyqs-tcp (stuck-clients.ts, in a process of their own), each
// pushing 100 MB and reading nothing: first a
// RECEIVE … WAIT that blocks (so the SENDs behind it pile up in the server), then pairs of a 1 MiB
// SEND and a RECEIVE of a message it keeps reserved (600 s) and never reads. Measured: the server's
// RSS before, at its most, and after; a normal client's latency throughout (SEND, RECEIVE on its
// own queue); when the stuck clients are cut, and how long after that their reserved messages are
// ready again. Before them, the normal client alone for 10 s: the latency the (shared) machine gives.
// The server runs with probe.mjs (its memory parts, event-loop delay and GC pauses every 100 ms):
// the figures say what its memory was made of at the RSS peak, and what the server and this
// process were doing when the normal client's slowest replies came. LIMITS_NODE_ARGS adds flags to
// the server's node (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`, `--heapsnapshot-signal=SIGUSR2`), and
// LIMITS_SNAPSHOT_AT_MS sends it SIGUSR2 that long after the stuck clients start.
import { fork } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Redis } from "ioredis";
import { MiB, ROOT, latencyLoop, percentile, rss, rssWatch, sleep, startBin } from "./procs.js";

/** One line of probe.mjs. */
interface ProbeLine {
  t: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  loopMaxMs: number;
  loopP99Ms: number;
  cpuMs: number;
  gc: Record<string, { n: number; ms: number; maxMs: number }>;
}

export async function tcpStuck(redisUrl: string, o: { clients: number; mbEach: number; budgetArgs: string[] }) {
  const probeFile = join(mkdtempSync(join(tmpdir(), "tinyqs-probe-")), "probe.jsonl");
  const bin = await startBin("tcp-server", ["--redis", redisUrl, ...o.budgetArgs], {
    flags: ["--import", `${ROOT}scripts/limits/probe.mjs`, ...(process.env.LIMITS_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [])],
    env: { TINYQS_PROBE_FILE: probeFile },
  });
  const probeStart = Date.now();
  const admin = new Redis({ port: bin.port, lazyConnect: true });
  const normal = new Redis({ port: bin.port, lazyConnect: true });
  await admin.connect();
  await normal.connect();
  const q = `stuck-${Date.now()}`;
  const mine = `normal-${Date.now()}`;
  await sleep(1000);
  const pair = async () => {
    await normal.call("SEND", mine, "x");
    await normal.call("RECEIVE", mine);
  };
  // The same normal client for 10 s with nothing else on the server: what the machine alone costs.
  const alone = latencyLoop(pair);
  await sleep(10_000);
  const aloneLat = await alone.stop();
  const before = rss(bin.child.pid!);
  const watch = rssWatch(bin.child.pid!);
  const loop = latencyLoop(pair);
  const loopStart = Date.now();
  // Redis itself, straight (a PING on a connection of its own): a normal reply slow while this is
  // not and the server's loop is not late waited in the engine, behind the stuck clients' bodies
  // on its one Redis connection.
  const direct = new Redis(redisUrl);
  const redisLoop = latencyLoop(() => direct.ping());
  // This process's own event-loop delay: a slow reply it measures may be its own doing.
  const ownLoop = monitorEventLoopDelay({ resolution: 5 });
  ownLoop.enable();

  const stuckClients = fork(fileURLToPath(new URL("./stuck-clients.ts", import.meta.url)), [String(bin.port), q, String(o.clients), String(o.mbEach)]);
  await new Promise((r) => stuckClients.once("message", r));

  const t0 = Date.now();
  const snapshotAt = Number(process.env.LIMITS_SNAPSHOT_AT_MS ?? 0);
  if (snapshotAt > 0) setTimeout(() => bin.child.kill("SIGUSR2"), snapshotAt).unref();
  const clients = async () => Number(/connected_clients:(\d+)/.exec(String(await admin.call("INFO", "clients")))![1]);
  const stats = async () => {
    const f = (await admin.call("STATS", q)) as Array<string | number>;
    return Object.fromEntries(Array.from({ length: f.length / 2 }, (_, i) => [f[2 * i], Number(f[2 * i + 1])]));
  };
  let inFlightAtCut = 0;
  let cutAt = 0;
  // Every 50 ms: how many are connected, how many messages are reserved, what the server holds.
  // A cut is seen as a drop in connected_clients (a stuck client reads nothing, so it cannot tell).
  const timeline: Array<{ t: number; connected: number; inFlight: number; buffered: number }> = [];
  while ((await clients()) < o.clients + 2 && Date.now() - t0 < 10_000) await sleep(20); // all of them in
  let firstCutAt = 0;
  let lastCutAt = 0;
  let reservedBeforeFirstCut = 0;
  let lastConnected = o.clients + 2;
  let lastDropAt = 0;
  while (Date.now() - t0 < 120_000) {
    const info = String(await admin.call("INFO"));
    const st = await stats();
    const connected = Number(/connected_clients:(\d+)/.exec(info)![1]);
    const sample = { t: Date.now() - t0, connected, inFlight: st.inFlight, buffered: Number(/tinyqs_buffered_bytes:(\d+)/.exec(info)![1]) };
    timeline.push(sample);
    if (connected < o.clients + 2 && !firstCutAt) firstCutAt = Date.now();
    if (!firstCutAt) reservedBeforeFirstCut = st.inFlight;
    if (connected < lastConnected) lastDropAt = Date.now();
    lastConnected = connected;
    if (connected <= 2) {
      lastCutAt = Date.now();
      break;
    }
    // Cuts over with some left: those hold less than their share of a budget less than half used,
    // so they are held to their per-connection bounds and not cut (docs/limits.md).
    if (firstCutAt && Date.now() - lastDropAt > 5000) break;
    await sleep(50);
  }
  // How long after the last cut until nothing of theirs is reserved any more (their leases are 600 s).
  let readyAgainAfterCutMs = NaN;
  while (lastCutAt && Date.now() - lastCutAt < 30_000) {
    if ((await stats()).inFlight === 0) {
      readyAgainAfterCutMs = Date.now() - lastCutAt;
      break;
    }
    await sleep(20);
  }
  const bufferedMost = Math.max(...timeline.map((x) => x.buffered));
  const perSecond = timeline.filter((x, i) => i === 0 || Math.floor(x.t / 2000) !== Math.floor(timeline[i - 1]!.t / 2000));
  const lat = await loop.stop();
  const redisLat = await redisLoop.stop();
  direct.disconnect();
  ownLoop.disable();
  await sleep(2000);
  const after = rss(bin.child.pid!);
  watch.stop();
  const final = await stats();
  const probe = readFileSync(probeFile, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ProbeLine);
  // Probe times are from the probe's start; stuck-client times from t0.
  const toT0 = (probeT: number) => probeT - (t0 - probeStart);
  const during = probe.filter((p) => toT0(p.t) >= 0 && toT0(p.t) <= (lastCutAt || Date.now()) - t0);
  const peak = during.reduce((a, b) => (b.rss > a.rss ? b : a), during[0]!);
  const gcDuring: Record<string, { n: number; ms: number; maxMs: number }> = {};
  for (const p of during) {
    for (const [k, g] of Object.entries(p.gc)) {
      const a = (gcDuring[k] ??= { n: 0, ms: 0, maxMs: 0 });
      a.n += g.n;
      a.ms = Math.round(a.ms + g.ms);
      a.maxMs = Math.max(a.maxMs, Math.round(g.maxMs));
    }
  }
  // The normal client's slowest pairs, each beside the server's probe line of that moment.
  const slowest = loop
    .timed()
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 8)
    .map(({ at, ms }) => {
      const t = at + (loopStart - t0);
      const p = probe.find((x) => toT0(x.t) >= t + ms) ?? probe.at(-1)!;
      return `${(t / 1000).toFixed(1)}s ${ms.toFixed(0)} ms (server: loop late up to ${p.loopMaxMs} ms, gc ${JSON.stringify(p.gc)}, cpu ${p.cpuMs} ms/100ms)`;
    });
  stuckClients.disconnect();
  admin.disconnect();
  normal.disconnect();
  await bin.stop();
  return {
    rssBefore: before,
    rssMost: watch.most(),
    rssAfter: after,
    firstCutAfterMs: firstCutAt ? firstCutAt - t0 : NaN,
    lastCutAfterMs: lastCutAt ? lastCutAt - t0 : NaN,
    stuckLeftAtEnd: Math.max(0, timeline.at(-1)!.connected - 2),
    // What those left (not cut) hold: bytes, and messages still reserved (theirs: 600 s leases).
    heldByThoseLeft: timeline.at(-1)!.buffered,
    lastDropAfterMs: lastDropAt ? lastDropAt - t0 : NaN,
    bufferedMost,
    reservedBeforeFirstCut,
    readyAgainAfterLastCutMs: readyAgainAfterCutMs,
    readyAtEnd: final.ready,
    aloneP50: percentile(aloneLat, 50),
    aloneP99: percentile(aloneLat, 99),
    aloneCalls: aloneLat.length,
    normalP50: percentile(lat, 50),
    normalP99: percentile(lat, 99),
    normalMax: Math.max(...lat),
    normalCalls: lat.length,
    normalErrors: loop.errors(),
    inFlightAtEnd: final.inFlight,
    redisDirectP99: percentile(redisLat, 99),
    redisDirectMax: Math.max(...redisLat),
    measurerLoopMaxMs: Math.round(ownLoop.max / 1e6),
    measurerLoopP99Ms: Math.round(ownLoop.percentile(99) / 1e6),
    serverAtRssPeak: peak && { t: toT0(peak.t), rss: peak.rss, heapUsed: peak.heapUsed, heapTotal: peak.heapTotal, external: peak.external, arrayBuffers: peak.arrayBuffers },
    serverLoopMaxMs: Math.max(...during.map((p) => p.loopMaxMs)),
    serverGcDuring: gcDuring,
    slowestNormal: slowest,
    // Every normal pair over 50 ms (the p99 goal): when (s since the stuck clients started) and how long.
    normalOver50ms: loop
      .timed()
      .filter((x) => x.ms > 50)
      .map((x) => `${((x.at + loopStart - t0) / 1000).toFixed(1)}s:${x.ms.toFixed(0)}`),
    probeFile,
    timeline: perSecond.map((x) => `${(x.t / 1000).toFixed(1)}s ${x.connected - 2} stuck, ${x.inFlight} reserved, ${Math.round(x.buffered / MiB)} MiB`),
  };
}
