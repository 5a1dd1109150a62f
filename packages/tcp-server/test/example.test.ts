// examples/redis-cli/session.sh is part of the product: run it against a server on the private Redis.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type Running } from "./helpers.js";

const run = promisify(execFile);
const dir = fileURLToPath(new URL("../../../examples/redis-cli/", import.meta.url));

let s: Running;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.server.close());

describe("examples/redis-cli", () => {
  it("session.sh runs start to end and shows every step", async () => {
    const { stdout } = await run("bash", ["session.sh"], {
      cwd: dir,
      env: { ...process.env, TINYQS_TCP_PORT: String(s.port), QUEUE: "example-session" },
      timeout: 20_000,
    });
    expect(stdout).toMatch(/^> PING\nPONG\n/);
    expect(stdout).toContain('> SEND example-session "resize photo-1.png"\n"');
    expect(stdout).toMatch(/> TOUCH example-session \d+-1\.1 VISIBILITY 30000\n\(integer\) 1\n/);
    expect(stdout).toMatch(/> DELETE example-session \d+-1\.1\n\(integer\) 1\n[^]*> DELETE example-session \d+-1\.1\n\(integer\) 0\n/);
    expect(stdout).toMatch(/> RELEASE example-session \d+-2\.1\n\(integer\) 1\n/);
    expect(stdout).toMatch(/2\) 1\) "\d+-2"\n {3}2\) "\d+-2\.2"\n {3}3\) "resize photo-2\.png"\n {3}4\) \(integer\) 2\n/);
    expect(stdout).toMatch(/> DELETE example-session \d+-3\.1 \d+-2\.2\n\(integer\) 2\n/);
    expect(stdout).toContain('3) "send the report"');
    expect(stdout).toContain(' 8) (integer) 4\n 9) "received"\n10) (integer) 5\n11) "deleted"\n12) (integer) 4\n');
    expect(stdout).toMatch(/> PUT example-session-questions "what is 6 x 7"\n"example-session-questions:\d+-1"\n/);
    expect(stdout).toMatch(/> TAKE example-session-questions WAIT 5000\n1\) "\d+-1"\n2\) "\d+-1\.1"\n3\) "what is 6 x 7"\n4\) \(integer\) 1\n/);
    expect(stdout).toMatch(/> RESPOND example-session-questions \d+-1\.1 42\n\(integer\) 1\n/);
    expect(stdout).toMatch(/> WAIT example-session-questions:\d+-1 TIMEOUT 5000\n"42"\n> WAIT example-session-questions:\d+-1 TIMEOUT 0\n\(nil\)\n/);
    expect(stdout).toMatch(/> PURGE example-session\n\(integer\) 0\n$/);
  });
});
