// MULTI/EXEC through real clients as they ship: ioredis's multi() and pipeline() with default
// options, and redis-cli (commands on stdin, and interactive in a terminal, where its prompt shows
// the transaction).
import { execFile } from "node:child_process";
import { Redis, ReplyError } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ioredisClient, redisCli, startServer, uniqueQueue, type Running } from "./helpers.js";

let s: Running;
let redis: Redis;
let errors: Error[] = [];

beforeAll(async () => {
  s = await startServer();
  ({ redis, errors } = await ioredisClient(s.port)); // default options
});
afterEach(() => {
  expect(errors).toEqual([]);
});
afterAll(async () => {
  redis.disconnect();
  await s.server.close();
});

const ready = async (q: string) => (await s.server.engine.stats(q)).ready;

describe("ioredis multi()", () => {
  it("queues, runs at exec(), answers [err, result] per command in order", async () => {
    const q = uniqueQueue("iotx");
    const tx = redis.multi();
    tx.call("SEND", q, "a");
    tx.call("SEND", q, "b");
    tx.call("RECEIVE", q, "VISIBILITY", "60000");
    tx.call("STATS", q);
    const out = (await tx.exec())!;
    expect(out).toHaveLength(4);
    out.forEach(([err]) => expect(err).toBeNull());
    const [idA, idB, m] = out.map(([, r]) => r);
    expect(idA).toMatch(/^\d+-\d+$/);
    expect(idB).toMatch(/^\d+-\d+$/);
    expect((m as string[]).slice(0, 3)).toEqual([idA, `${idA}.1`, "a"]);
    expect(await ready(q)).toBe(1);
  });

  it("a command that fails at run time: its error in its place, the others ran", async () => {
    const q = uniqueQueue("iotx");
    const out = (await redis.multi().call("SEND", q, "a").call("SEND", "bad name!", "x").call("SEND", q, "b").exec())!;
    expect(out[0]![0]).toBeNull();
    expect(out[1]![0]).toBeInstanceOf(ReplyError);
    expect(out[1]![0]!.message).toMatch(/^BAD_NAME /);
    expect(out[2]![0]).toBeNull();
    expect(await ready(q)).toBe(2);
  });

  it("an unknown command: exec() rejects with EXECABORT and nothing ran", async () => {
    const q = uniqueQueue("iotx");
    const tx = redis.multi().call("SEND", q, "a").call("NOSUCH", "x").call("SEND", q, "b");
    const e = await tx.exec().then(
      () => null,
      (err: Error) => err,
    );
    expect(e).toBeInstanceOf(ReplyError);
    expect(e!.message).toBe("EXECABORT Transaction discarded because of previous errors.");
    expect(await ready(q)).toBe(0);
    expect(await redis.ping()).toBe("PONG"); // the connection goes on
  });

  it("MULTI … DISCARD: nothing ran", async () => {
    const q = uniqueQueue("iotx");
    const out = await redis.pipeline().call("MULTI").call("SEND", q, "a").call("DISCARD").exec();
    expect(out).toEqual([
      [null, "OK"],
      [null, "QUEUED"],
      [null, "OK"],
    ]);
    expect(await ready(q)).toBe(0);
  });

  it("blocking forms inside multi() answer at once", async () => {
    const q = uniqueQueue("iotx");
    const started = Date.now();
    const out = (await redis.multi().call("RECEIVE", q, "WAIT", "5000").call("TAKE", q, "WAIT", "5000").exec())!;
    expect(out).toEqual([
      [null, null],
      [null, null],
    ]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("pipeline() still works beside it, and a pipeline holding a MULTI … EXEC", async () => {
    const q = uniqueQueue("iotx");
    const p = redis.pipeline().call("SEND", q, "a").call("MULTI").call("SEND", q, "b").call("EXEC").call("STATS", q);
    const out = (await p.exec())!;
    out.forEach(([err]) => expect(err).toBeNull());
    expect(out[1]![1]).toBe("OK");
    expect(out[2]![1]).toBe("QUEUED");
    expect(out[3]![1]).toEqual([expect.stringMatching(/^\d+-\d+$/)]);
    expect(await ready(q)).toBe(2);
  });
});

describe("redis-cli", () => {
  it("commands on stdin: MULTI, QUEUED, the EXEC array; EXECABORT; EXEC without MULTI", async () => {
    const q = uniqueQueue("clitx");
    const out = await redisCli(s.port, ["--no-raw"], { input: `MULTI\nSEND ${q} a\nPING\nEXEC\nMULTI\nNOSUCH\nEXEC\nEXEC\nDISCARD\n` });
    expect(out).toMatch(
      new RegExp(
        [
          "^OK",
          "QUEUED",
          "QUEUED",
          '1\\) "\\d+-\\d+"',
          "2\\) PONG",
          "OK",
          "\\(error\\) ERR unknown command 'NOSUCH', with args beginning with: ",
          "\\(error\\) EXECABORT Transaction discarded because of previous errors\\.",
          "\\(error\\) ERR EXEC without MULTI",
          "\\(error\\) ERR DISCARD without MULTI\n$",
        ].join("\n"),
      ),
    );
    expect(await ready(q)).toBe(1);
  });

  it("interactive, in a terminal: the prompt shows (TX) inside MULTI", async () => {
    const q = uniqueQueue("clitx");
    const shown = await new Promise<string>((resolve, reject) => {
      const child = execFile(
        "script",
        ["-qfec", `redis-cli -p ${s.port}`, "/dev/null"],
        { timeout: 15_000, env: { ...process.env, TERM: "dumb" } },
        (err, stdout) => (err ? reject(new Error(`interactive redis-cli failed: ${err.message}\n${stdout}`)) : resolve(stdout)),
      );
      child.stdin!.end([`MULTI`, `SEND ${q} a`, `EXEC`, `quit`].map((l) => `${l}\r`).join(""));
    }).then((out) => out.replace(/\x1b\[[0-9;]*m/g, "").replace(/\r/g, ""));
    expect(shown).toContain(`127.0.0.1:${s.port}(TX)> `);
    expect(shown).toContain("QUEUED");
    expect(shown).toMatch(/1\) "\d+-\d+"/);
    expect(await ready(q)).toBe(1);
  });
});
