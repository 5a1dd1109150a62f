// tinyqs-tcp and tinyqs-http (child processes) SIGKILLed mid-traffic and started again on the same
// ports: the clients reconnect by themselves, nothing acknowledged is lost, and a send whose reply
// died with the server counts as failed (maybe stored: "failed but delivered"), never as acked.
// The engine channel, on Redis directly, carries on throughout.
// Again with the clients' `retrySends` (issue 11): every send carries a dedupId and one whose reply
// died with the server is sent again when the server is back, so no send is stored twice and none
// that failed was stored after all (failedDelivered 0).
import { afterAll, beforeAll, expect, it } from "vitest";
import { sleep } from "@tinyqs/test-support";
import { engineChannel, httpChannel, tcpChannel } from "../src/channels.js";
import { expectSound } from "../src/scenario.js";
import type { ChildServers } from "../src/servers.js";
import { stage, type Stage } from "../src/stage.js";

let on: Stage<ChildServers>;
beforeAll(async () => {
  on = await stage({ redis: { appendonly: true }, childServers: true });
});
afterAll(() => on?.close());

it("server-sigkill: both servers SIGKILLed and restarted on their ports; clients come back by themselves", async () => {
  const out = await on.run({
    name: "server-sigkill",
    fault: async () => {
      const before = on.servers.pids;
      await on.servers.kill();
      await sleep(500);
      await on.servers.startBoth();
      expect(on.servers.pids.some((p) => before.includes(p))).toBe(false);
    },
  });
  expectSound(out);
  expect(out.tally.failed, out.line).toBeGreaterThan(0);
});

it("server-sigkill with retrySends: no send stored twice, no failed send stored after all", async () => {
  const out = await on.run({
    name: "server-sigkill-retry-sends",
    // The WebSocket channel's sends are raw `send` frames (no client retry): left out of this run.
    channels: [engineChannel(on.redisUrl), tcpChannel(on.servers.tcpUrl, { retrySends: true }), httpChannel(on.servers.httpUrl, { retrySends: true })],
    fault: async () => {
      await on.servers.kill();
      await sleep(500);
      await on.servers.startBoth();
    },
  });
  expectSound(out);
  expect(out.tally.duplicated, out.line).toBe(0);
  expect(out.tally.failedDelivered, out.line).toBe(0);
});
