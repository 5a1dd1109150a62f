// `pnpm bench` on a few hundred messages per target and mode: every run must pass the exactly-once
// check (exit code 0, "ok" on its line) and print the target's ratio to the engine. Not a
// measurement: the figures of such short runs mean nothing and are not looked at.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

function bench(...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (out += d));
    child.on("exit", (code) => resolve({ code, out }));
  });
}

describe.sequential("pnpm bench, briefly, on every target", () => {
  it.each([
    ["tcp", []],
    ["http", ["--batch"]],
    ["ws", ["--batch"]],
    ["tcp", ["--rate", "500"]],
    ["http", ["--backlog", "2000"]],
    ["sqs", []],
    ["sqs", ["--batch"]],
  ])("--target %s %j: every run verified exactly-once", async (target, extra) => {
    const { code, out } = await bench("--scenarios", "C", "--messages", "400", "--target", target, ...extra);
    expect(out, out).toMatch(new RegExp(`^${target}\\s+C round 1: .*\\|  ok$`, "m"));
    expect(out).toMatch(/^engine C round 1: .*\|  ok$/m);
    expect(out).toMatch(new RegExp(`^\\| C \\| [\\d,]+ \\| [\\d,]+ \\| \\d+ % \\|$`, "m"));
    if (extra.includes("--backlog")) expect(out).toMatch(/backlog 2,000: \d+ B\/msg in Redis \(raw list -?\d+, stream -?\d+\)/);
    expect(code, out).toBe(0);
  });

  it("the engine with what growth.ts sets up: held leases, messages coming due at once, idle queues", async () => {
    const { code, out } = await bench("--scenarios", "C", "--messages", "400", "--in-flight", "300", "--due", "100", "--idle-queues", "50");
    expect(out, out).toMatch(/^C round 1: .*in flight 300: \d+ B\/msg in Redis, 100 due at once after 300 ms, 50 idle queues with a receiver each  \|  ok$/m);
    expect(code, out).toBe(0);
  });
});
