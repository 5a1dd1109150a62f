// Slow and stuck clients beside normal traffic: 2,000 idle TCP connections, 2,000 idle WebSockets, a
// TCP client that pipelines large SENDs and never reads its replies, and HTTP sends whose bodies
// come at 1 byte/s. The servers (child processes) keep serving everyone else: the traffic's
// accounting is sound, and a normal client's p99 per call, measured meanwhile and printed, stays
// within a generous bound (a sign of "still serving", not a speed figure: that is `pnpm bench`).
import { afterAll, beforeAll, expect, it } from "vitest";
import { connect, type TinyQSApi } from "@tinyqs/client";
import { sleep, uniqueQueue } from "@tinyqs/test-support";
import { expectSound } from "../src/scenario.js";
import type { ChildServers } from "../src/servers.js";
import { stage, type Stage } from "../src/stage.js";
import { idleTcp, idleWebSockets, percentile, slowBodies, stuckSender, type Opened } from "../src/stuck-clients.js";

/** A p99 above this means the servers stopped serving normal clients, not that they are slow. */
const P99_BOUND_MS = 2000;

let on: Stage<ChildServers>;
beforeAll(async () => {
  on = await stage({ childServers: true });
});
afterAll(() => on?.close());

/** send → receive → delete, one call at a time, until `stop`; each call's milliseconds. */
async function measure(api: TinyQSApi, stop: { done: boolean }): Promise<number[]> {
  const q = uniqueQueue("p99");
  const took: number[] = [];
  const timed = async <T>(p: () => Promise<T>) => {
    const t0 = Date.now();
    const v = await p();
    took.push(Date.now() - t0);
    return v;
  };
  while (!stop.done) {
    await timed(() => api.send(q, "normal"));
    const m = await timed(() => api.receive(q));
    if (m) await timed(() => api.delete(q, m.receipt!));
  }
  return took;
}

it("slow-clients: idle and stuck clients do not stop the servers serving the others", async () => {
  const { servers } = on;
  const normal = { tcp: connect(servers.tcpUrl), http: connect(servers.httpUrl) };
  const opened: Opened[] = [];
  let p99 = { tcp: 0, http: 0, calls: 0 };
  try {
    const out = await on.run({
      name: "slow-clients",
      fault: async () => {
        opened.push(await idleTcp(servers.tcpPort, 2000));
        opened.push(await idleWebSockets(`ws://127.0.0.1:${servers.httpPort}/v1/ws`, 2000));
        const stuck = stuckSender(servers.tcpPort, uniqueQueue("stuck"), 256 * 1024, 32 * 1024 * 1024);
        opened.push(stuck, slowBodies(servers.httpPort, uniqueQueue("slow-body"), 20));
        const stop = { done: false };
        const runs = Promise.all([measure(normal.tcp, stop), measure(normal.http, stop)]);
        await sleep(3000);
        stop.done = true;
        const [tcp, http] = await runs;
        p99 = { tcp: percentile(tcp, 99), http: percentile(http, 99), calls: tcp.length + http.length };
        console.log(`faults: slow-clients normal client p99 tcp=${p99.tcp}ms http=${p99.http}ms over ${p99.calls} calls, beside 2000 idle TCP, 2000 idle WebSockets, 20 bodies at 1 byte/s and a sender that never reads (${(stuck.count / 1048576).toFixed(1)} MiB written)`);
        expect(stuck.count).toBeGreaterThan(0);
        for (const o of opened) o.close();
      },
    });
    expectSound(out);
    expect(p99.tcp).toBeLessThan(P99_BOUND_MS);
    expect(p99.http).toBeLessThan(P99_BOUND_MS);
  } finally {
    for (const o of opened) o.close();
    await Promise.all([normal.tcp.close(), normal.http.close()]);
  }
});
