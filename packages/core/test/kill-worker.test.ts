// A worker process killed with SIGKILL while it holds a message: the message comes back after its
// visibility timeout with receiveCount 2 (issue 2, "Tests"; point 2: no sweeper needed).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { afterAll, expect, inject, it } from "vitest";
import { TinyQS } from "../src/index.js";
import { WAKE_MS, uniqueQueue } from "@tinyqs/test-support";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../../..");
const redisUrl = inject("redisUrl");
const tq = new TinyQS({ redis: redisUrl });
afterAll(() => tq.close());

it("a worker killed with SIGKILL while holding a message: it comes back after its lease, receiveCount 2", async () => {
  const q = uniqueQueue("kill");
  const VIS = 1500;
  const id = await tq.send(q, "survives the worker");

  const spawnedAt = Date.now();
  const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "fixtures/hold-worker.ts"), redisUrl, q, String(VIS)], {
    cwd: repoRoot, // where tsx is installed
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input: child.stdout });
      rl.once("line", resolve);
      child.once("exit", (code) => reject(new Error(`worker exited (${code}) before reporting: ${stderr}`)));
      setTimeout(() => reject(new Error(`worker did not report within 15 s: ${stderr}`)), 15_000);
    });
    const held = JSON.parse(line);
    expect(held).toMatchObject({ id, receipt: `${id}.1`, receiveCount: 1, body: "survives the worker" });
    const heldSince = Date.now();

    child.kill("SIGKILL");
    await exited;
    expect(child.signalCode).toBe("SIGKILL");

    // still reserved by the dead worker until its lease ends
    expect(await tq.receive(q)).toBeNull();
    expect((await tq.stats(q)).inFlight).toBe(1);

    const back = await tq.receive(q, { waitMs: VIS + 5000 });
    const at = Date.now() - heldSince;
    expect(back).not.toBeNull();
    expect(back!.id).toBe(id);
    expect(back!.receiveCount).toBe(2);
    expect(back!.receipt).toBe(`${id}.2`);
    expect(back!.body.toString()).toBe("survives the worker");
    expect(at).toBeLessThan(VIS + WAKE_MS);
    expect(Date.now() - spawnedAt).toBeGreaterThanOrEqual(VIS - 50); // not before the lease ended
    // the dead worker's receipt is stale
    expect(await tq.delete(q, held.receipt)).toBe(false);
    expect(await tq.delete(q, back!.receipt!)).toBe(true);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
});
