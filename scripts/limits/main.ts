// `pnpm limits`: the full-size figures of issue 16 (docs/limits.md), each from the built bins in
// processes of their own over a private redis-server: 16 stuck pipelining TCP clients × 100 MB;
// 200 slow-header + 200 slow-body HTTP connections; 5,000 idle connections on each server; and
// connections that never authenticate. Prints one JSON object of figures. Loopback only, bounded
// in count and time (a few minutes in all). `pnpm limits tcp-stuck` (or http-slow, idle, unauth)
// runs one part. tcp-stuck also says what the server's memory was made of at its RSS peak and
// what it and Redis were doing when the normal client was slowest (probe.mjs, loaded into the
// server). Variables: LIMITS_NODE_ARGS adds flags to the tcp-stuck server's node (`--cpu-prof
// --cpu-prof-dir=/tmp/p`, `--heapsnapshot-signal=SIGUSR2` with LIMITS_SNAPSHOT_AT_MS=11000 for a
// heap snapshot 11 s in, `--max-semi-space-size=1`); LIMITS_DIST=dist-before starts the bins from
// packages/<pkg>/dist-before (an older build copied there) to compare two builds in one sitting.
import { RedisServer } from "@tinyqs/test-support/redis-server";
import { httpSlow } from "./http-slow.js";
import { idle, unauth } from "./idle.js";
import { tcpStuck } from "./tcp-stuck.js";

const only = process.argv[2];
const redis = await RedisServer.start();
const url = `redis://127.0.0.1:${redis.port}`;
const figures: Record<string, unknown> = { when: new Date().toISOString(), node: process.version };
const run = async (name: string, part: () => Promise<unknown>) => {
  if (only && only !== name) return;
  process.stderr.write(`limits: ${name}…\n`);
  figures[name] = await part();
  process.stderr.write(`${JSON.stringify(figures[name])}\n`);
};
try {
  await run("tcp-stuck", () => tcpStuck(url, { clients: 16, mbEach: 100, budgetArgs: [] }));
  await run("http-slow", () => httpSlow(url, { each: 200 }));
  await run("idle", () => idle(url, 5000));
  await run("unauth", () => unauth(url, 1000));
} finally {
  await redis.stop();
}
process.stdout.write(JSON.stringify(figures, null, 2) + "\n");
process.exit(0);
