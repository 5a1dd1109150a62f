// Issue 18: the path between the clients and the servers stalled for 4 s (nothing passes either way,
// connections stay open). TCP and HTTP calls and WebSocket sends fail within their deadline (the
// client's timeoutMs, plus waitMs for a long poll) — TCP with UNAVAILABLE saying the outcome is
// unknown, HTTP and WebSocket with TIMEOUT — no reply is matched to the wrong call (every delivered
// body has the id its send was acknowledged with), and work resumes by itself after the stall.
// The engine channel, on Redis directly, is not behind the proxy and carries on.
import { afterAll, beforeAll, expect, it } from "vitest";
import { proxy, sleep, type Proxy } from "@tinyqs/test-support";
import { engineChannel, httpChannel, tcpChannel, wsChannel } from "../src/channels.js";
import { expectSound } from "../src/scenario.js";
import { stage, type Stage } from "../src/stage.js";
import { TIMEOUTS } from "../src/timeouts.js";

let on: Stage;
let tcpPx: Proxy;
let httpPx: Proxy;

beforeAll(async () => {
  on = await stage();
  [tcpPx, httpPx] = await Promise.all([proxy(on.servers.tcpPort), proxy(on.servers.httpPort)]);
});
afterAll(async () => {
  for (const px of [tcpPx, httpPx]) px?.unstall();
  await Promise.all([tcpPx?.close(), httpPx?.close()]);
  await on?.close();
});

it("client-stall: clients fail within their deadline, nothing is matched to the wrong call, work resumes", async () => {
  const httpUrl = `http://127.0.0.1:${httpPx.port}`;
  const channels = [engineChannel(on.redisUrl), tcpChannel(`tinyqs://127.0.0.1:${tcpPx.port}`), httpChannel(httpUrl), wsChannel(httpUrl)];
  const out = await on.run({
    name: "client-stall",
    channels,
    fault: async () => {
      tcpPx.stall();
      httpPx.stall();
      await sleep(4000); // longer than a long poll's deadline (timeoutMs + waitMs)
      tcpPx.unstall();
      httpPx.unstall();
    },
  });
  expectSound(out);
  const { ledger } = out;
  expect(ledger.codesOf("tcp"), out.line).toEqual(["UNAVAILABLE"]);
  for (const m of ledger.errorMessages("tcp UNAVAILABLE")) expect(m).toMatch(/within \d+ ms: whether the command ran is unknown/);
  expect(ledger.codesOf("http"), out.line).toEqual(["TIMEOUT"]);
  expect(ledger.codesOf("engine"), out.line).toEqual([]);
  // Each failed within its deadline: timeoutMs (+ waitMs for a long poll), with room for a loaded machine.
  expect(out.tally.maxFailMs, out.line).toBeLessThan(TIMEOUTS.clientMs + TIMEOUTS.waitMs + TIMEOUTS.slackMs);
  expect(out.tally.maxFailMs, out.line).toBeGreaterThanOrEqual(TIMEOUTS.clientMs - 100);
});
