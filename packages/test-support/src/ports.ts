// Free ports, the one way the tests, the benchmark and check-pack pick them: for a redis-server, a
// server started by a test, or an address where nothing listens (to see a client fail to connect).
import net from "node:net";

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", () => resolve(false));
    srv.listen({ port, host: "127.0.0.1", exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** Handed out by this process and not released: never handed out twice. */
const taken = new Set<number>();

/**
 * A port that is free now, in [lo, hi], never 6379. With `busToo`, port + 10000 (the cluster bus)
 * is free as well, so keep hi <= 50000 for cluster nodes. The default range stays below the
 * kernel's ephemeral range (32768+): a server we stop and restart on the same port must not find
 * it taken by some outgoing connection (or by a client connecting to itself while it is down), and
 * "nothing listens there" stays true until the test itself listens on it.
 */
export async function freePort({ lo = 20000, hi = 32000, busToo = false } = {}): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = lo + Math.floor(Math.random() * (hi - lo + 1));
    if (port === 6379 || port === 16379 || taken.has(port)) continue;
    if (!(await canListen(port))) continue;
    if (busToo && !(await canListen(port + 10000))) continue;
    taken.add(port);
    return port;
  }
  throw new Error("no free port found");
}

/** The port is no longer used by its taker: freePort may hand it out again. */
export function releasePort(port: number): void {
  taken.delete(port);
}
