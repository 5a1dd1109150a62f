// The real redis-cli binary as a client, one process per command as a user would run it, for every
// command of docs/protocol.md (AUTH is in auth.test.ts). --no-raw gives the formatted output a
// person sees in a terminal.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../src/commands/table.js";
import { RawClient, redisCli, req, startServer, uniqueQueue, type Running } from "./helpers.js";

let s: Running;
const cli = (...args: string[]) => redisCli(s.port, ["--no-raw", ...args]);
const raw = (...args: string[]) => redisCli(s.port, args);

beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.server.close());

const ID = /^"(\d+-\d+)"\n$/;

/**
 * redis-cli as a person starts it: no command, a terminal. A terminal is what makes it interactive
 * (and fetch COMMAND DOCS for `help`), so it runs under util-linux `script`, which gives it a
 * pseudo-terminal. TERM=dumb keeps the line editor plain. Returns what the terminal showed, without
 * carriage returns and colours.
 */
function interactiveCli(port: number, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "script",
      ["-qfec", `redis-cli -p ${port}`, "/dev/null"],
      { timeout: 15_000, env: { ...process.env, TERM: "dumb" } },
      (err, stdout) => (err ? reject(new Error(`interactive redis-cli failed: ${err.message}\n${stdout}`)) : resolve(stdout)),
    );
    child.stdin!.end(lines.map((l) => `${l}\r`).join(""));
  }).then((out) => (out as string).replace(/\x1b\[[0-9;]*m/g, "").replace(/\r/g, ""));
}

describe("redis-cli, one command per process", () => {
  it("PING, ECHO, SELECT, QUIT", async () => {
    expect(await cli("PING")).toBe("PONG\n");
    expect(await cli("ping", "hello")).toBe('"hello"\n');
    expect(await cli("ECHO", "a b")).toBe('"a b"\n');
    expect(await cli("SELECT", "0")).toBe("OK\n");
    expect(await cli("SELECT", "3")).toBe("(error) ERR DB index is out of range\n");
    expect(await cli("QUIT")).toBe("OK\n");
    expect(await redisCli(s.port, ["-n", "0", "PING"])).toBe("PONG\n"); // -n 0 sends SELECT 0 first
  });

  it("HELLO, CLIENT, INFO, COMMAND", async () => {
    expect(await cli("HELLO", "2")).toMatch(/^ 1\) "server"\n 2\) "tinyqs"\n 3\) "version"\n 4\) "0\.1\.0"\n 5\) "proto"\n 6\) \(integer\) 2\n/);
    expect(await cli("HELLO", "3")).toMatch(/^1# "server" => "tinyqs"\n2# "version" => "0\.1\.0"\n3# "proto" => \(integer\) 3\n/);
    expect(await cli("CLIENT", "ID")).toMatch(/^\(integer\) \d+\n$/);
    expect(await cli("CLIENT", "GETNAME")).toBe("(nil)\n");
    expect(await cli("CLIENT", "SETNAME", "cli")).toBe("OK\n");
    expect(await raw("CLIENT", "LIST")).toMatch(/^id=\d+ addr=127\.0\.0\.1:\d+ /);
    expect(await raw("INFO", "server")).toMatch(/^# Server\r?\ntinyqs_version:0\.1\.0\r?\n/);
    expect(await cli("COMMAND", "COUNT")).toBe(`(integer) ${COMMANDS.length}\n`);
    expect(await cli("COMMAND", "DOCS", "send")).toMatch(/"summary"\n\s+2\) "Sends one message; answers its id \(with DEDUP, the first id sent with that dedup id, storing nothing\)\."/);
    expect(await redisCli(s.port, ["-3", "PING"])).toBe("PONG\n"); // HELLO 3, then RESP3 (redis-cli-resp3.test.ts)
  });

  it("SEND, MSEND, PEEK, RECEIVE, TOUCH, MTOUCH, RELEASE, MDELETE, DELETE, STATS", async () => {
    const q = uniqueQueue("cli");
    const id = ID.exec(await cli("SEND", q, "hello world"))![1]!;
    const sentAt = id.split("-")[0];
    expect(await cli("MSEND", q, "b", "c")).toMatch(/^1\) "\d+-2"\n2\) "\d+-3"\n$/);
    expect(await cli("SEND", q, "later", "DELAY", "60000")).toMatch(ID);
    expect(await cli("PEEK", q)).toBe(`1) "${id}"\n2) (nil)\n3) "hello world"\n4) (integer) 0\n5) (integer) ${sentAt}\n`);
    expect(await cli("RECEIVE", q, "VISIBILITY", "60000")).toBe(
      `1) "${id}"\n2) "${id}.1"\n3) "hello world"\n4) (integer) 1\n5) (integer) ${sentAt}\n`,
    );
    expect(await cli("TOUCH", q, `${id}.1`, "VISIBILITY", "90000")).toBe("(integer) 1\n");
    expect(await cli("RELEASE", q, `${id}.1`)).toBe("(integer) 1\n");
    expect(await cli("RELEASE", q, `${id}.1`)).toBe("(integer) 0\n");
    const batch = await cli("RECEIVE", q, "COUNT", "3", "WAIT", "100");
    expect(batch).toMatch(/^1\) 1\) "\d+-2"\n   2\) "\d+-2\.1"\n   3\) "b"\n   4\) \(integer\) 1\n/);
    const receipts = [...batch.matchAll(/2\) "(\d+-\d+\.\d+)"/g)].map((m) => m[1]!);
    expect(receipts).toHaveLength(3);
    expect(await cli("MTOUCH", q, ...receipts, "VISIBILITY", "90000")).toBe("1) (integer) 1\n2) (integer) 1\n3) (integer) 1\n");
    expect(await cli("MDELETE", q, receipts[0]!, receipts[0]!)).toBe("1) (integer) 1\n2) (integer) 0\n");
    expect(await cli("DELETE", q, ...receipts)).toBe("(integer) 2\n");
    expect(await cli("DELETE", q, ...receipts)).toBe("(integer) 0\n");
    expect(await cli("RECEIVE", q)).toBe("(nil)\n");
    expect(await cli("RECEIVE", q, "COUNT", "2")).toBe("(empty array)\n");
    expect(await cli("STATS", q)).toBe(
      [' 1) "ready"', " 2) (integer) 0", ' 3) "inFlight"', " 4) (integer) 0", ' 5) "delayed"', " 6) (integer) 1",
        ' 7) "sent"', " 8) (integer) 4", ' 9) "received"', "10) (integer) 4", '11) "deleted"', "12) (integer) 3",
        '13) "deadLettered"', "14) (integer) 0", '15) "deduplicated"', "16) (integer) 0", '17) "paused"', "18) (integer) 0",
        '19) "oldestReadyAgeMs"', "20) (nil)", ""].join("\n"),
    );
  });

  it("BROWSE shows a message's fields, and -3 a map", async () => {
    const q = uniqueQueue("cli");
    const id = ID.exec(await cli("SEND", q, "look at me"))![1]!;
    expect(await cli("BROWSE", q, "READY")).toBe(
      `1)  1) "id"\n    2) "${id}"\n    3) "state"\n    4) "ready"\n    5) "receiveCount"\n    6) (integer) 0\n` +
        `    7) "sentAt"\n    8) (integer) ${id.split("-")[0]}\n    9) "size"\n   10) (integer) 10\n   11) "body"\n   12) "look at me"\n`,
    );
    expect(await cli("-3", "BROWSE", q, "READY", "BODYBYTES", "4")).toContain('1# "id" => "');
    expect(await cli("-3", "BROWSE", q, "READY", "BODYBYTES", "4")).toContain('6# "body" => "look"');
  });

  it("QCONFIG, QUEUES, PURGE", async () => {
    const q = uniqueQueue("cli");
    expect(await cli("QCONFIG", q, "visibilityMs", "5000")).toBe(
      [' 1) "visibilityMs"', " 2) (integer) 5000", ' 3) "maxReceives"', " 4) (integer) 0", ' 5) "deadLetterQueue"', ` 6) "${q}.dead"`,
        ' 7) "maxMessageBytes"', " 8) (integer) 1048576", ' 9) "replyTtlMs"', "10) (integer) 300000", '11) "dedupWindowMs"', "12) (integer) 300000",
        '13) "paused"', "14) (integer) 0", ""].join("\n"),
    );
    expect(await raw("QUEUES")).toContain(`${q}\n`);
    await cli("MSEND", q, "1", "2", "3");
    expect(await cli("PURGE", q)).toBe("(integer) 3\n");
  });

  it("errors as redis-cli shows them", async () => {
    expect(await cli("FOO")).toBe("(error) ERR unknown command 'FOO', with args beginning with: \n");
    expect(await cli("SEND", "q")).toBe("(error) ERR wrong number of arguments for 'send' command\n");
    expect(await cli("SEND", "bad name", "x")).toMatch(/^\(error\) BAD_NAME /);
    expect(await cli("RECEIVE", "q", "WAIT", "later")).toBe('(error) BAD_ARGUMENT WAIT must be an integer from 0 to 3600000, got "later"\n');
  });

  it("RECEIVE WAIT blocks until a message comes", async () => {
    const q = uniqueQueue("cli");
    const waiting = cli("RECEIVE", q, "WAIT", "10000");
    await new Promise((r) => setTimeout(r, 200));
    await cli("SEND", q, "wake up");
    expect(await waiting).toMatch(/^1\) "\d+-1"\n2\) "\d+-1\.1"\n3\) "wake up"\n/);
  });

  it("a binary body from a file with -x arrives byte for byte", async () => {
    const q = uniqueQueue("cli");
    const dir = mkdtempSync(join(tmpdir(), "tinyqs-cli-"));
    try {
      const body = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      writeFileSync(join(dir, "body.bin"), body);
      await redisCli(s.port, ["-x", "SEND", q], { input: readFileSync(join(dir, "body.bin")) });
      const k = await RawClient.connect(s.port);
      const peek = await k.call(req("PEEK", q));
      k.destroy();
      expect(peek).toContain(`$256\r\n${body.toString("latin1")}\r\n`);
      expect(await cli("PEEK", q)).toContain('"\\x00\\x01\\x02\\x03');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("interactive in a terminal: connects without an error, `help SEND` comes from COMMAND DOCS, commands answer", async () => {
    const q = uniqueQueue("tty");
    const out = await interactiveCli(s.port, [`SEND ${q} "hello world"`, "help SEND", `PEEK ${q}`, `RECEIVE ${q} COUNT 2`, "quit"]);
    expect(out).not.toMatch(/error|ERR|failed/i);
    expect(out).toMatch(/> "\d+-1"\n/);
    expect(out).toMatch(/SEND queue body \[DELAY ms\] \[DEDUP id\]\n\s+summary: Sends one message; answers its id \(with DEDUP, the first id sent with that dedup id, storing nothing\)\.\n/);
    expect(out).toMatch(/> 1\) "\d+-1"\n2\) \(nil\)\n3\) "hello world"\n4\) \(integer\) 0\n/);
    expect(out).toMatch(/> 1\) 1\) "\d+-1"\n {3}2\) "\d+-1\.1"\n {3}3\) "hello world"\n/);
  });

  it("commands read from stdin, one per line", async () => {
    const q = uniqueQueue("cli");
    const out = await redisCli(s.port, [], { input: `SEND ${q} one\nSEND ${q} "two words"\nRECEIVE ${q} COUNT 5\nSTATS ${q}\n` });
    const lines = out.split("\n");
    expect(lines[0]).toMatch(/^\d+-1$/);
    expect(lines[1]).toMatch(/^\d+-2$/);
    expect(out).toContain("one\n");
    expect(out).toContain("two words\n");
    expect(out).toMatch(/ready\n0\ninFlight\n2\n/);
  });
});
