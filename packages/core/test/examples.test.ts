// The runnable examples under examples/ are part of the product: run each against the private Redis.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";

const run = promisify(execFile);
const examples = fileURLToPath(new URL("../../../examples/", import.meta.url));

describe("examples", () => {
  it("embedded producer and workers: every job done, job 7 retried once", async () => {
    const { stdout } = await run(process.execPath, ["producer-and-worker.mjs"], {
      cwd: `${examples}embedded`,
      env: { ...process.env, TINYQS_REDIS_URL: inject("redisUrl") },
      timeout: 30_000,
    });
    for (let job = 1; job <= 10; job++) expect(stdout).toMatch(new RegExp(`job ${job} done`));
    expect(stdout).toContain("job 7 failed on delivery 1, releasing it");
    expect(stdout).toContain("job 7 done (delivery 2)");
    expect(stdout).toContain("stats: sent 10, received 11, deleted 10, ready 0");
  });
});
