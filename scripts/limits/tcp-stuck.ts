// 16 stuck pipelining clients on tinyqs-tcp, each pushing 100 MB and reading nothing: first a
// RECEIVE … WAIT that blocks (so the SENDs behind it pile up in the server), then pairs of a 1 MiB
// SEND and a RECEIVE of a message it keeps reserved (600 s) and never reads. Measured: the server's
// RSS before, at its most, and after; a normal client's latency throughout (SEND, RECEIVE on its
// own queue); when the stuck clients are cut, and how long after that their reserved messages are
// ready again. Before them, the normal client alone for 10 s: the latency the (shared) machine gives.
import net from "node:net";
import { Redis } from "ioredis";
import { MiB, latencyLoop, percentile, resp, rss, rssWatch, sleep, startBin } from "./procs.js";

export async function tcpStuck(redisUrl: string, o: { clients: number; mbEach: number; budgetArgs: string[] }) {
  const bin = await startBin("tcp-server", ["--redis", redisUrl, ...o.budgetArgs]);
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

  const body = Buffer.alloc(MiB, 0x61);
  const sockets: net.Socket[] = [];
  const writers = Array.from({ length: o.clients }, async () => {
    const s = net.connect({ port: bin.port, host: "127.0.0.1" });
    sockets.push(s);
    s.on("error", () => {});
    await new Promise((r) => s.once("connect", r));
    s.pause(); // never reads a reply
    const write = async (b: Buffer) => {
      if (!s.write(b)) await new Promise((r) => (s.once("drain", r), s.once("close", r)));
    };
    await write(resp("RECEIVE", q, "WAIT", "5000", "VISIBILITY", "600000"));
    for (let i = 0; i < o.mbEach && !s.destroyed; i++) {
      await write(resp("SEND", q, body));
      await write(resp("RECEIVE", q, "VISIBILITY", "600000"));
    }
  });
  void Promise.all(writers);

  const t0 = Date.now();
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
  while (Date.now() - t0 < 120_000) {
    const info = String(await admin.call("INFO"));
    const st = await stats();
    const connected = Number(/connected_clients:(\d+)/.exec(info)![1]);
    const sample = { t: Date.now() - t0, connected, inFlight: st.inFlight, buffered: Number(/tinyqs_buffered_bytes:(\d+)/.exec(info)![1]) };
    timeline.push(sample);
    if (connected < o.clients + 2 && !firstCutAt) firstCutAt = Date.now();
    if (!firstCutAt) reservedBeforeFirstCut = st.inFlight;
    if (connected <= 2) {
      lastCutAt = Date.now();
      break;
    }
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
  await sleep(2000);
  const after = rss(bin.child.pid!);
  watch.stop();
  const final = await stats();
  for (const s of sockets) s.destroy();
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
    timeline: perSecond.map((x) => `${(x.t / 1000).toFixed(1)}s ${x.connected - 2} stuck, ${x.inFlight} reserved, ${Math.round(x.buffered / MiB)} MiB`),
  };
}
