// A worker process SIGKILLed while it holds messages, amid traffic on every channel: what it held
// comes back after its lease (receive count + 1) to the other consumers, with no sweeper. Those
// deliveries are redeliveries after a worker died: lease semantics, not duplicates.
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, expect, it } from "vitest";
import { spawnBin } from "@tinyqs/test-support";
import { expectSound } from "../src/scenario.js";
import { stage, type Stage } from "../src/stage.js";
import { TIMEOUTS } from "../src/timeouts.js";

const FIXTURE = fileURLToPath(new URL("../fixtures/holding-worker.ts", import.meta.url));
const PKG = fileURLToPath(new URL("..", import.meta.url));

let on: Stage;
beforeAll(async () => {
  on = await stage();
});
afterAll(() => on?.close());

it("worker-sigkill: what a SIGKILLed worker held comes back after its lease, once more each", async () => {
  let held = 0;
  const out = await on.run({
    name: "worker-sigkill",
    fault: async ({ ledger, queue, until }) => {
      const worker = spawnBin(PKG, [on.redis.url, queue, String(TIMEOUTS.visibilityMs)], {
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
  // Every message the dead worker held was delivered again (after its lease).
  expect(out.tally.redelivered, out.line).toBeGreaterThanOrEqual(held);
});
