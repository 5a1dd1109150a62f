// A worker process SIGKILLed while it holds messages, amid traffic on every channel: what it held
// comes back after its lease (receive count + 1) to the other consumers, with no sweeper. Those
// deliveries are redeliveries after a worker died: lease semantics, not duplicates.
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TinyQS } from "@tinyqs/core";
import { RedisServer, spawnBin } from "@tinyqs/test-support";
import { everyChannel } from "../src/channels.js";
import { closeAll, expectSound, runScenario } from "../src/scenario.js";
import { inProcessServers, type Servers } from "../src/servers.js";
import { TIMEOUTS } from "../src/timeouts.js";

const FIXTURE = fileURLToPath(new URL("../fixtures/holding-worker.ts", import.meta.url));
const PKG = fileURLToPath(new URL("..", import.meta.url));

let redis: RedisServer;
let servers: Servers;
let checker: TinyQS;

beforeAll(async () => {
  redis = await RedisServer.start();
  servers = await inProcessServers(redis.url);
  checker = new TinyQS({ redis: redis.url });
});
afterAll(async () => {
  await servers?.close();
  await checker?.close();
  await redis?.cleanup();
});

it("worker-sigkill: what a SIGKILLed worker held comes back after its lease, once more each", async () => {
  const channels = everyChannel(redis.url, servers);
  let held = 0;
  try {
    const out = await runScenario({
      name: "worker-sigkill",
      channels,
      checker,
      fault: async ({ ledger, queue, until }) => {
        const worker = spawnBin(PKG, [redis.url, queue, String(TIMEOUTS.visibilityMs)], {
          command: ["--conditions=@tinyqs/source", "--import", "tsx", FIXTURE],
          killAfterMs: 60_000,
        });
        createInterface({ input: worker.child.stdout! }).on("line", (line) => {
          ledger.delivered("worker", JSON.parse(line));
          held++;
        });
        try {
          await until(() => held >= 10, "the worker process holds messages", 20_000);
        } finally {
          worker.child.kill("SIGKILL");
          await worker.exited;
        }
        expect(worker.child.signalCode).toBe("SIGKILL");
      },
    });
    expectSound(out);
    // Every message the dead worker held was delivered again (after its lease), and only those.
    expect(out.tally.redelivered, out.line).toBeGreaterThanOrEqual(held);
  } finally {
    await closeAll(channels);
  }
});
