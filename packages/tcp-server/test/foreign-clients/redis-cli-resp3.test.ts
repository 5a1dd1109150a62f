// redis-cli -3 (RESP3: it sends HELLO 3 first, and before tinyqs spoke RESP3 printed "HELLO 3
// failed") for the four verbs, HELLO, a pipeline (--pipe) and a MULTI, one process per command as a person runs it. --no-raw gives
// the formatted output, where RESP3 shows: `(nil)` for `_`, `1# "field" => value` for a map.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisCli, startServer, uniqueQueue, type Running } from "../helpers.js";

let s: Running;
const cli3 = (...args: string[]) => redisCli(s.port, ["-3", "--no-raw", ...args]);

beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.server.close());

describe("redis-cli -3", () => {
  it("HELLO: the RESP3 map, proto 3; no complaint on stderr", async () => {
    const { stdout, stderr } = await promisify(execFile)("redis-cli", ["-3", "-p", String(s.port), "PING"], { timeout: 15_000 });
    expect([stdout, stderr]).toEqual(["PONG\n", ""]);
    const out = await cli3("HELLO");
    expect(out).toMatch(/^1# "server" => "tinyqs"\n2# "version" => "\d+\.\d+\.\d+"\n3# "proto" => \(integer\) 3\n4# "id" => \(integer\) \d+\n/);
    expect(out).toMatch(/5# "mode" => "standalone"\n6# "role" => "master"\n7# "modules" => \(empty array\)\n$/);
    expect(await cli3("HELLO", "3", "SETNAME", "cli3")).toMatch(/^1# "server" => "tinyqs"\n/);
    expect(await cli3("CLIENT", "GETNAME")).toBe("(nil)\n");
  });

  it("SEND, RECEIVE, TOUCH, DELETE, STATS", async () => {
    const q = uniqueQueue("cli3");
    expect(await cli3("RECEIVE", q)).toBe("(nil)\n");
    const id = /^"(\d+-1)"\n$/.exec(await cli3("SEND", q, "hello world"))![1]!;
    expect(await cli3("PEEK", q)).toBe(`1) "${id}"\n2) (nil)\n3) "hello world"\n4) (integer) 0\n5) (integer) ${id.split("-")[0]}\n`);
    expect(await cli3("RECEIVE", q)).toBe(`1) "${id}"\n2) "${id}.1"\n3) "hello world"\n4) (integer) 1\n5) (integer) ${id.split("-")[0]}\n`);
    expect(await cli3("TOUCH", q, `${id}.1`, "VISIBILITY", "5000")).toBe("(integer) 1\n");
    expect(await cli3("DELETE", q, `${id}.1`)).toBe("(integer) 1\n");
    expect(await cli3("DELETE", q, `${id}.1`)).toBe("(integer) 0\n");
    expect(await cli3("STATS", q)).toBe(
      ["ready", 0, "inFlight", 0, "delayed", 0, "sent", 1, "received", 1, "deleted", 1, "deadLettered", 0, "deduplicated", 0, "paused", 0]
        .reduce<string[]>((lines, v, i, all) => (i % 2 ? lines : [...lines, `${String(i / 2 + 1).padStart(2)}# "${v}" => (integer) ${all[i + 1]}`]), [])
        .join("\n") + '\n10# "oldestReadyAgeMs" => (nil)\n',
    );
  });

  it("MULTI … EXEC with commands on stdin: +QUEUED each, then EXEC's array, a null inside as (nil)", async () => {
    const q = uniqueQueue("cli3tx");
    const out = await redisCli(s.port, ["-3", "--no-raw"], { input: ["MULTI", `SEND ${q} one`, `RECEIVE ${q}`, `RECEIVE ${q}`, "EXEC", ""].join("\n") });
    const lines = out.split("\n");
    expect(lines.slice(0, 4)).toEqual(["OK", "QUEUED", "QUEUED", "QUEUED"]);
    expect(lines[4]).toMatch(/^1\) "\d+-1"$/);
    expect(lines[5]).toMatch(/^2\) 1\) "\d+-1"$/); // the message, nested
    expect(out).toMatch(/\n3\) \(nil\)\n$/); // the second RECEIVE: nothing left
  });

  it("a pipeline: redis-cli --pipe writes 100 SENDs at once and counts 100 replies, no errors", async () => {
    const q = uniqueQueue("clipipe");
    const resp = Array.from({ length: 100 }, (_, i) => `*3\r\n$4\r\nSEND\r\n$${q.length}\r\n${q}\r\n$${String(i).length}\r\n${i}\r\n`).join("");
    const out = await redisCli(s.port, ["--pipe"], { input: resp });
    expect(out).toMatch(/errors: 0, replies: 100/);
    expect(await cli3("STATS", q)).toMatch(/^ 1# "ready" => \(integer\) 100\n/);
  });

  it("interactive in a terminal: no error, `help SEND` from COMMAND DOCS (a map of maps in RESP3)", async () => {
    // As in ../redis-cli.test.ts: util-linux `script` gives redis-cli the terminal that makes it interactive.
    const out = await new Promise<string>((resolve, reject) => {
      const child = execFile("script", ["-qfec", `redis-cli -3 -p ${s.port}`, "/dev/null"], { timeout: 15_000, env: { ...process.env, TERM: "dumb" } }, (err, stdout) =>
        err ? reject(new Error(`interactive redis-cli -3 failed: ${err.message}\n${stdout}`)) : resolve(stdout.replace(/\x1b\[[0-9;]*m/g, "").replace(/\r/g, "")),
      );
      child.stdin!.end(["help SEND", `RECEIVE ${uniqueQueue("tty3")}`, "quit"].map((l) => `${l}\r`).join(""));
    });
    expect(out).not.toMatch(/error|ERR|failed/i);
    expect(out).toMatch(/SEND queue body \[DELAY ms\] \[DEDUP id\]\n\s+summary: Sends one message; answers its id \(with DEDUP, the first id sent with that dedup id, storing nothing\)\.\n/);
    expect(out).toMatch(/> \(nil\)\n/);
  });
});
