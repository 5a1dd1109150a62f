// examples/remote-worker (worker.mjs, request-response.mjs, tour.mjs), each run as its own process
// against a real tcp-server and http-server, and examples/embedded/tour.mjs on the private Redis.
// (start.test.ts runs every example again, with its documented command, against `pnpm start`.)
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createHttpServer } from "@tinyqs/http-server";
import { createTcpServer } from "@tinyqs/tcp-server";
import { uniqueQueue } from "@tinyqs/test-support";
import { connect } from "../src/index.js";

const run = promisify(execFile);
const dir = fileURLToPath(new URL("../../../examples/remote-worker/", import.meta.url));
const embeddedDir = fileURLToPath(new URL("../../../examples/embedded/", import.meta.url));
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

  it.each(["tcp", "http"])("the tour over %s: send, receive, touch, delete", async (way) => {
    const queue = uniqueQueue("tour");
    const { stdout } = await run(process.execPath, ["tour.mjs"], {
      cwd: dir,
      env: { ...process.env, TINYQS_URL: urls[way]!, TINYQS_QUEUE: queue },
      timeout: 30_000,
    });
    expect(stdout).toMatch(/^send {4}→ (\d+-\d+)\nreceive → "resize 4\.png" \(receipt \1\.1, delivery 1\)\ntouch {3}→ true\ndelete  → true\n$/);
    const tq = connect(urls[way]!);
    try {
      expect(await tq.stats(queue)).toMatchObject({ sent: 1, received: 1, deleted: 1, ready: 0, inFlight: 0 });
    } finally {
      await tq.close();
    }
  });
});

describe("examples/embedded", () => {
  it("the tour, embedded: send, receive, touch, delete with the engine in its process", async () => {
    const queue = uniqueQueue("tour");
    const { stdout } = await run(process.execPath, ["tour.mjs"], {
      cwd: embeddedDir,
      env: { ...process.env, TINYQS_REDIS_URL: redis, TINYQS_QUEUE: queue },
      timeout: 30_000,
    });
    expect(stdout).toMatch(/^send {4}→ (\d+-\d+)\nreceive → "resize 3\.png" \(receipt \1\.1, delivery 1\)\ntouch {3}→ true\ndelete  → true\n$/);
  });
});
