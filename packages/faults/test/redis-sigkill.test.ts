// redis-server SIGKILLed mid-traffic and started again on the same port and data directory, with
// its append-only file (appendfsync always): every acknowledged send is there after the restart, the
// engine and both servers reconnect by themselves, and no call waits past its deadline meanwhile.
import { afterAll, beforeAll, expect, it } from "vitest";
import { sleep } from "@tinyqs/test-support";
import { expectSound } from "../src/scenario.js";
import { stage, type Stage } from "../src/stage.js";

let on: Stage;
beforeAll(async () => {
  on = await stage({ redis: { appendonly: true } });
});
afterAll(() => on?.close());

it("redis-sigkill: nothing acknowledged is lost across a SIGKILL and restart of redis-server (AOF, appendfsync always)", async () => {
  const out = await on.run({
    name: "redis-sigkill",
    fault: async () => {
      await on.redis.kill(); // SIGKILL by PID: no shutdown, no last fsync
      await sleep(1500); // down long enough for calls to fail
      await on.redis.restart();
    },
  });
  expectSound(out);
  // While Redis was away, calls failed with UNAVAILABLE (the servers' answer too), not a client's TIMEOUT.
  expect(out.tally.failed, out.line).toBeGreaterThan(0);
  expect(Object.keys(out.tally.errors), out.line).toEqual(["UNAVAILABLE"]);
});
