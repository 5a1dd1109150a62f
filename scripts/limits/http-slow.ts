// 200 slow-header and 200 slow-body connections on tinyqs-http with its default timeouts (headers
// within 10 s; a body at 1 KiB/s on average after its first 5 s), each sending one byte a second.
// Measured: when each is cut and what it was told (408), the server's RSS, and a normal client's
// latency throughout (a send).
import net from "node:net";
import { latencyLoop, percentile, rss, rssWatch, sleep, startBin } from "./procs.js";

interface Slow {
  cutAfterMs: number;
  got: string;
}

function slowConnection(port: number, head: string, trickled: string, t0: number): Promise<Slow> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: "127.0.0.1" });
    let got = "";
    s.on("data", (d) => (got += d.toString("latin1")));
    s.on("error", () => {});
    let i = 0;
    let timer: NodeJS.Timeout | undefined;
    s.once("connect", () => {
      s.write(head);
      timer = setInterval(() => {
        if (i < trickled.length && s.writable) s.write(trickled[i++]!);
      }, 1000);
    });
    s.once("close", () => {
      clearInterval(timer);
      resolve({ cutAfterMs: Date.now() - t0, got });
    });
    setTimeout(() => s.destroy(), 90_000).unref(); // bounded: a server that never cuts is reported, not waited for
  });
}

export async function httpSlow(redisUrl: string, o: { each: number }) {
  const bin = await startBin("http-server", ["--redis", redisUrl, "--max-connections-per-address", "0"]);
  const url = `http://127.0.0.1:${bin.port}`;
  await sleep(1000);
  const before = rss(bin.child.pid!);
  const watch = rssWatch(bin.child.pid!);
  const loop = latencyLoop(async () => {
    const r = await fetch(`${url}/v1/queues/normal/messages`, { method: "POST", body: "x" });
    if (r.status !== 201) throw new Error(String(r.status));
    await r.arrayBuffer();
  });
  const t0 = Date.now();
  const headers = Array.from({ length: o.each }, () =>
    slowConnection(bin.port, "GET /healthz HTTP/1.1\r\n", `Host: 127.0.0.1\r\nX-Slow: ${"a".repeat(100)}\r\n\r\n`, t0));
  const bodies = Array.from({ length: o.each }, () =>
    slowConnection(bin.port, `POST /v1/queues/slow/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n`, "b".repeat(100_000), t0));
  const h = await Promise.all(headers);
  const b = await Promise.all(bodies);
  const lat = await loop.stop();
  watch.stop();
  const after = rss(bin.child.pid!);
  await bin.stop();
  const summary = (xs: Slow[]) => ({
    firstCutMs: Math.min(...xs.map((x) => x.cutAfterMs)),
    lastCutMs: Math.max(...xs.map((x) => x.cutAfterMs)),
    told408: xs.filter((x) => x.got.startsWith("HTTP/1.1 408")).length,
    toldRequestTimeout: xs.filter((x) => x.got.includes('"REQUEST_TIMEOUT"')).length,
  });
  return {
    slowHeaders: summary(h),
    slowBodies: summary(b),
    rssBefore: before,
    rssMost: watch.most(),
    rssAfter: after,
    normalP50: percentile(lat, 50),
    normalP99: percentile(lat, 99),
    normalMax: Math.max(...lat),
    normalCalls: lat.length,
    normalErrors: loop.errors(),
  };
}
