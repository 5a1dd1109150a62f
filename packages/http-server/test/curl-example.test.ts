// examples/curl/session.sh is part of the product: run it with the real curl binary against a
// server on the private Redis (with a token, so the script's auth path is exercised too).
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, uniqueQueue, type Running } from "./helpers.js";

const run = promisify(execFile);
const script = fileURLToPath(new URL("../../../examples/curl/session.sh", import.meta.url));

let s: Running;
beforeAll(async () => {
  s = await startServer({ token: "example-token" });
});
afterAll(() => s.close());

describe("examples/curl/session.sh", () => {
  it("runs start to finish with curl, every step answering as the README shows", async () => {
    await run("curl", ["--version"]).catch(() => {
      throw new Error("the curl binary is needed for this test (apt-get install curl)");
    });
    const q = uniqueQueue("curl");
    const { stdout, stderr } = await run("bash", [script], {
      env: { ...process.env, TINYQS_URL: s.url, TINYQS_TOKEN: "example-token", TINYQS_QUEUE: q },
      timeout: 20_000,
    });
    expect(stderr).toBe("");
    const lines = stdout.trim().split("\n");
    const step = (name: string) => lines.find((l) => l.startsWith(`-> ${name}:`)) ?? `(no "${name}" line in:\n${stdout})`;
    expect(step("server")).toBe('-> server: {"status":"ok"}');
    expect(step(`configure ${q}`)).toContain('"maxReceives":5');
    expect(step(`configure ${q}`)).toContain('"replyTtlMs":300000');
    expect(step("send text")).toMatch(/\{"id":"\d+-1"\}$/);
    expect(step("send json")).toMatch(/\{"id":"\d+-2"\}$/);
    expect(step("send delayed")).toMatch(/\{"id":"\d+-3"\}$/);
    expect(step("send binary")).toMatch(/\{"id":"\d+-6"\}$/);
    expect(step("send batch")).toMatch(/\{"ids":\["\d+-4","\d+-5"\]\}$/);
    expect(step("received")).toMatch(/^-> received: resize photo 1 \(id (\d+-1), delivery 1, receipt \1\.1\)$/);
    expect(step("touch")).toBe("-> touch: HTTP 204");
    expect(step("delete")).toBe("-> delete: HTTP 204");
    expect(step("delete again")).toBe("-> delete again: HTTP 404");
    expect(step("release")).toBe("-> release: HTTP 204");
    expect(step("peek")).toBe("-> peek: batch a (delivery count 0, receipt '')");
    expect(step("receive 10")).toBe("-> receive 10: 4 messages");
    expect(step("receive on empty")).toBe("-> receive on empty: HTTP 204");
    expect(step("stats")).toContain('"inFlight":4,"delayed":1,"sent":6');
    expect(step("purge")).toBe('-> purge: {"purged":5}');
    expect(step("request taken")).toBe("-> request taken: what is 6*7?");
    expect(step("respond")).toBe("-> respond: HTTP 204");
    expect(step("reply")).toMatch(new RegExp(`^-> reply: 42 \\(handle ${q}-rpc:\\d+-1\\)$`));
    expect(lines.at(-1)).toBe("-> done");
  });
});
