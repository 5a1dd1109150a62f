// examples/remote-worker (worker.mjs, request-response.mjs), each run as its own process against a
// real tcp-server and http-server.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createHttpServer } from "../../http-server/src/index.js";
import { createTcpServer } from "../../tcp-server/src/index.js";

const run = promisify(execFile);
const dir = fileURLToPath(new URL("../../../examples/remote-worker/", import.meta.url));
const redis = inject("redisUrl");
const tcp = createTcpServer({ redis });
const http = createHttpServer({ redis });
const urls: Record<string, string> = {};

beforeAll(async () => {
  urls.tcp = `tinyqs://127.0.0.1:${(await tcp.listen(0, "127.0.0.1")).port}`;
  urls.http = (await http.listen(0, "127.0.0.1")).url;
});
afterAll(async () => {
  await tcp.close();
  await http.close();
});

describe("examples/remote-worker", () => {
  it.each(["tcp", "http"])("over %s: all five jobs done, job 3 retried once", async (way) => {
    const { stdout } = await run(process.execPath, ["worker.mjs"], {
      cwd: dir,
      env: { ...process.env, TINYQS_URL: urls[way] },
      timeout: 30_000,
    });
    for (const job of [1, 2, 4, 5]) expect(stdout).toContain(`job ${job} done (delivery 1)`);
    expect(stdout).toContain("job 3 fails on its first delivery, retrying later");
    expect(stdout).toContain("job 3 done (delivery 2)");
  });

  it.each(["tcp", "http"])("request/response over %s: every caller gets its answer; a late respond is refused", async (way) => {
    const { stdout } = await run(process.execPath, ["request-response.mjs"], {
      cwd: dir,
      env: { ...process.env, TINYQS_URL: urls[way] },
      timeout: 30_000,
    });
    expect(stdout).toContain("worker: late answer to 1 refused (respond → false)");
    expect(stdout).toContain("worker: answered 1 (delivery 2)");
    for (const n of [1, 2, 3]) expect(stdout).toContain(`caller: ${n} squared is ${n * n}`);
    expect(stdout).toMatch(/caller: 4 squared is 16 \(handle example-rpc-\d+:\d+-\d+\)/);
  });
});
