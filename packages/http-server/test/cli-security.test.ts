// The tinyqs-http bin with TLS and users: TINYQS_TLS_CERT/KEY and --users, the start-up line
// (https://), curl --cacert with Basic credentials, SIGHUP re-reading the users file (a removed
// user is refused from then on), and `hash-password`.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { SOURCE_BIN, eventually, binSecurityFixture, removeUser, spawnBin, type TestCerts } from "@tinyqs/test-support";

const PKG = fileURLToPath(new URL("..", import.meta.url));
const exec = promisify(execFile);
let certs: TestCerts;
let usersFile: string;
beforeAll(async () => {
  ({ certs, usersFile } = await binSecurityFixture());
});
afterAll(() => certs.cleanup());

describe("tinyqs-http with TLS and users", () => {
  it("refuses an SQS port that would take any request beside --users (exit 2, saying why); with --sqs-credentials it serves", async () => {
    const refused = spawnBin(PKG, ["--port", "0", "--sqs-port", "0", "--users", usersFile], { env: { TINYQS_REDIS_URL: inject("redisUrl") }, cleanTinyqsEnv: true, killAfterMs: 15_000 });
    expect(await refused.exited).toBe(2);
    expect(refused.err()).toContain("the SQS port takes any request without --sqs-credentials, and ignores --users: give --sqs-credentials KEY:SECRET to serve it");
    const served = spawnBin(PKG, ["--port", "0", "--sqs-port", "0", "--users", usersFile, "--sqs-credentials", "AK:SECRET"], {
      env: { TINYQS_REDIS_URL: inject("redisUrl") }, cleanTinyqsEnv: true, killAfterMs: 15_000,
    });
    await eventually(() => expect(served.out()).toMatch(/SQS API on http:\/\/127\.0\.0\.1:\d+ \(Signature V4 required\)/), 15_000);
    served.child.kill("SIGTERM");
    expect(await served.exited).toBe(0);
  });

  it("serves HTTPS to users; SIGHUP re-reads the users file", async () => {
    const bin = spawnBin(PKG, ["--port", "0", "--users", usersFile], {
      env: { TINYQS_REDIS_URL: inject("redisUrl"), TINYQS_TLS_CERT: certs.server.cert, TINYQS_TLS_KEY: certs.server.key },
      cleanTinyqsEnv: true, killAfterMs: 25_000,
    });
    const line = await eventually(() => /listening on (https:\/\/127\.0\.0\.1:\d+) \(users from \S+\)\n/.exec(bin.out()), 15_000);
    const url = line![1]!;
    const curl = (user: string, ...args: string[]) =>
      exec("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", certs.ca, "-u", user, ...args], { timeout: 15_000 }).then((r) => r.stdout);
    expect(await curl("producer:p-pass", "--data", "x", `${url}/v1/queues/bin.q/messages`)).toBe("201");
    expect(await curl("worker:w-pass", `${url}/v1/queues/bin.q/messages`)).toBe("200");
    expect(await curl("producer:p-pass", `${url}/v1/queues/bin.q/messages`)).toBe("403");
    removeUser(usersFile, "worker");
    bin.child.kill("SIGHUP");
    await eventually(() => expect(bin.out()).toContain("tinyqs-http: SIGHUP, reloaded the TLS certificate and the users file"), 10_000);
    expect(await curl("worker:w-pass", `${url}/v1/queues/bin.q/messages`)).toBe("401");
    expect(await curl("producer:p-pass", "--data", "y", `${url}/v1/queues/bin.q/messages`)).toBe("201");
    bin.child.kill("SIGTERM");
    expect(await bin.exited).toBe(0);
    expect(bin.all()).toMatch(/failed login as "worker" from 127\.0\.0\.1/);
    expect(bin.all()).not.toMatch(/p-pass|w-pass/);
  });

  it("hash-password prints an scrypt hash of the password read on stdin; none given: exit 2", async () => {
    const hash = await new Promise<string>((resolve, reject) => {
      const child = execFile(process.execPath, [...SOURCE_BIN, "hash-password"], { cwd: PKG, timeout: 20_000 }, (e, stdout) => (e ? reject(e) : resolve(stdout)));
      child.stdin!.end("s3cret");
    });
    expect(hash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+\n$/);
    const empty = spawnBin(PKG, ["hash-password"], { cleanTinyqsEnv: true, killAfterMs: 20_000 });
    expect(await empty.exited).toBe(2);
    expect(empty.err()).toContain("give the password on stdin");
  });
});
