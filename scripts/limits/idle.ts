// 5,000 idle connections on each server (tinyqs-tcp: plain TCP connections that sent one PING;
// tinyqs-http: WebSockets), from five loopback addresses, 1,000 each, so that the default limit per
// address (1,000) admits them: RSS before and with them, per connection. Then, with a password /
// token, connections that never authenticate: when they are cut, and what one more than
// --max-pending-auth (1,000) is told.
import { createRequire } from "node:module";
import net from "node:net";
import { ROOT, percentile, rss, sleep, startBin } from "./procs.js";

/** The http-server package's own `ws` (the root has none): only what is used here. */
interface Ws {
  once(event: "open" | "error", f: (e?: unknown) => void): void;
  terminate(): void;
}
const WebSocket = createRequire(`${ROOT}packages/http-server/package.json`)("ws") as new (url: string, o: { localAddress?: string }) => Ws;

const ADDRESSES = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"];

function tcpConnection(port: number, localAddress: string, first?: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: "127.0.0.1", localAddress });
    s.on("error", () => {});
    s.once("connect", () => {
      if (first) s.write(first);
      resolve(s);
    });
    s.once("error", reject);
  });
}

async function inBatches<T>(n: number, make: (i: number) => Promise<T>, batch = 200): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += batch) out.push(...(await Promise.all(Array.from({ length: Math.min(batch, n - i) }, (_, j) => make(i + j)))));
  return out;
}

async function perConnection(pid: number, n: number, open: () => Promise<() => void>) {
  await sleep(1500);
  const before = rss(pid);
  const close = await open();
  await sleep(3000);
  const withThem = rss(pid);
  close();
  return { connections: n, rssBefore: before, rssWith: withThem, bytesPerConnection: Math.round((withThem - before) / n) };
}

export async function idle(redisUrl: string, n: number) {
  const tcp = await startBin("tcp-server", ["--redis", redisUrl]);
  const tcpFigures = await perConnection(tcp.child.pid!, n, async () => {
    const socks = await inBatches(n, (i) => tcpConnection(tcp.port, ADDRESSES[i % ADDRESSES.length]!, "PING\r\n"));
    return () => socks.forEach((s) => s.destroy());
  });
  await tcp.stop();

  const http = await startBin("http-server", ["--redis", redisUrl]);
  const httpFigures = await perConnection(http.child.pid!, n, async () => {
    const sockets = await inBatches(n, (i) => new Promise<Ws>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${http.port}/v1/ws`, { localAddress: ADDRESSES[i % ADDRESSES.length] });
      ws.once("open", () => resolve(ws));
      ws.once("error", reject);
    }));
    return () => sockets.forEach((ws) => ws.terminate());
  });
  await http.stop();
  return { tcp: tcpFigures, http: httpFigures };
}

/** `pending` connections that never authenticate, and one more: when they are cut, what the extra one is told. */
async function unauthenticated(port: number, pending: number, refusedLine: RegExp) {
  const t0 = Date.now();
  const cuts: number[] = [];
  const socks = await inBatches(pending, (i) => tcpConnection(port, ADDRESSES[i % ADDRESSES.length]!));
  for (const s of socks) {
    s.resume(); // reads what it is told, as a client does (a socket never read would not see the close)
    s.once("close", () => cuts.push(Date.now() - t0));
  }
  const extra = await tcpConnection(port, ADDRESSES[0]!);
  let told = "";
  extra.on("data", (d) => (told += d));
  const deadline = Date.now() + 60_000;
  while (cuts.length < pending && Date.now() < deadline) await sleep(100);
  for (const s of socks) s.destroy();
  extra.destroy();
  return { pending, cut: cuts.length, firstCutMs: Math.min(...cuts), medianCutMs: percentile(cuts, 50), lastCutMs: Math.max(...cuts), extraRefused: refusedLine.test(told), extraTold: told.split("\r\n").find((l) => /TOO_MANY/.test(l)) ?? told.slice(0, 120) };
}

export async function unauth(redisUrl: string, pending: number) {
  const tcp = await startBin("tcp-server", ["--redis", redisUrl, "--password", "secret", "--max-pending-auth", String(pending)]);
  const tcpFigures = await unauthenticated(tcp.port, pending, /^-TOO_MANY_CONNECTIONS /);
  await tcp.stop();
  const http = await startBin("http-server", ["--redis", redisUrl, "--token", "secret", "--max-pending-auth", String(pending)]);
  const httpFigures = await unauthenticated(http.port, pending, /^HTTP\/1\.1 503 /);
  await http.stop();
  return { tcp: tcpFigures, http: httpFigures };
}
