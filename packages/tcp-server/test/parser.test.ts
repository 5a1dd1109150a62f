// The RESP request parser on its own: both request forms, any split of the bytes into chunks, the
// limits (without buffering past them), and property tests over random input.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RespParser, splitInline, type ParserLimits } from "../src/resp/parser.js";
import { req } from "./helpers.js";

type Event = { command: string[] } | { refused: string } | { fatal: string };

const LIMITS: ParserLimits = { maxBulkBytes: 1024, maxArgs: 8, maxCommandBytes: 2048, maxInlineBytes: 256 };

function parser(limits: ParserLimits = LIMITS) {
  const events: Event[] = [];
  const p = new RespParser(limits, {
    command: (args) => events.push({ command: args.map((a) => a.toString("latin1")) }),
    refused: (e) => events.push({ refused: e.respError }),
    fatal: (m) => events.push({ fatal: m }),
  });
  return { p, events };
}

function parseAll(input: Buffer, chunks: number[] = [], limits = LIMITS): Event[] {
  const { p, events } = parser(limits);
  let at = 0;
  for (const size of chunks) {
    if (at >= input.length) break;
    p.feed(input.subarray(at, at + size));
    at += size;
  }
  if (at < input.length) p.feed(input.subarray(at));
  return events;
}

const sample = Buffer.concat([
  req("SEND", "q", Buffer.from([0, 13, 10, 36, 42, 255])),
  Buffer.from("PING\r\n"),
  Buffer.from('ECHO "a b" \'c\'\n'),
  req("RECEIVE", "q", "WAIT", "10"),
  Buffer.from("*0\r\n*-1\r\n\r\n"),
  req("ECHO", ""),
]);
const expected: Event[] = [
  { command: ["SEND", "q", "\x00\r\n$*\xff"] },
  { command: ["PING"] },
  { command: ["ECHO", "a b", "c"] },
  { command: ["RECEIVE", "q", "WAIT", "10"] },
  { command: ["ECHO", ""] },
];

describe("RespParser", () => {
  it("reads multibulk and inline requests", () => {
    expect(parseAll(sample)).toEqual(expected);
  });

  it("gives the same commands fed one byte at a time", () => {
    expect(parseAll(sample, Array(sample.length).fill(1))).toEqual(expected);
  });

  it("gives the same commands however the bytes are split into chunks", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 60 }), (chunks) => {
        expect(parseAll(sample, chunks)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("collects a large bulk across many chunks, copied once", () => {
    const body = Buffer.alloc(300_000, 7);
    const input = req("SEND", "q", body);
    const { p, events } = parser({ ...LIMITS, maxBulkBytes: 1 << 20, maxCommandBytes: 1 << 21 });
    for (let at = 0; at < input.length; at += 1000) p.feed(input.subarray(at, at + 1000));
    expect(events).toHaveLength(1);
    expect((events[0] as { command: string[] }).command[2]).toBe(body.toString("latin1"));
    expect(p.bufferedBytes).toBe(0);
  });

  it("gives a large bulk a buffer of its own: it keeps neither the chunks it came in nor what follows it", () => {
    const body = Buffer.alloc(300_000, 7);
    // The bulk's last bytes share a chunk with the next command, as a pipelining client's do.
    const input = Buffer.concat([req("SEND", "q", body), req("RECEIVE", "q")]);
    const got: Buffer[][] = [];
    const p = new RespParser({ ...LIMITS, maxBulkBytes: 1 << 20, maxCommandBytes: 1 << 21 }, { command: (args) => got.push(args), refused: () => {}, fatal: () => {} });
    const head = input.indexOf("$300000\r\n") + 9; // where the body starts
    const chunks: Buffer[] = [];
    for (let at = 0; at < input.length; at += 65_536) chunks.push(Buffer.from(input.subarray(at, at + 65_536)));
    for (const [i, chunk] of chunks.entries()) {
      p.feed(chunk);
      // What it holds meanwhile: the arguments before it (SEND, q) and what has arrived of the bulk.
      if (got.length === 0 && (i + 1) * 65_536 > head) expect(p.bufferedBytes).toBe("SEND".length + "q".length + (i + 1) * 65_536 - head);
    }
    expect(got.map((a) => a[0]!.toString())).toEqual(["SEND", "RECEIVE"]);
    const arg = got[0]![2]!;
    expect(arg.equals(body)).toBe(true);
    expect(arg.buffer.byteLength).toBe(body.length + 2); // its bytes and CRLF, no more
    expect(chunks.some((c) => c.buffer === arg.buffer)).toBe(false);
    expect(p.bufferedBytes).toBe(0);
  });

  it("counts what a command being read holds: its complete arguments, and of a large bulk the bytes that came, not its header's size", () => {
    const limits = { ...LIMITS, maxArgs: 100, maxBulkBytes: 1 << 20, maxCommandBytes: 1 << 26 };
    const { p, events } = parser(limits);
    // A header alone announcing 1 MiB holds next to nothing.
    p.feed(Buffer.from("*66\r\n$5\r\nMSEND\r\n$1\r\nq\r\n$1048576\r\n"));
    expect(p.bufferedBytes).toBe(6);
    const body = Buffer.alloc(1 << 20, 7);
    p.feed(body.subarray(0, 100_000));
    expect(p.bufferedBytes).toBe(6 + 100_000);
    p.feed(Buffer.concat([body.subarray(100_000), Buffer.from("\r\n")]));
    // 10 more complete bodies of an MSEND that is not finished: all of them are held, all counted.
    for (let i = 0; i < 10; i++) p.feed(Buffer.concat([Buffer.from("$1048576\r\n"), body, Buffer.from("\r\n")]));
    expect(events).toEqual([]);
    expect(p.bufferedBytes).toBe(6 + 11 * body.length);
    // Refused when they pass maxCommandBytes: let go, counted no more.
    const small = parser({ ...limits, maxCommandBytes: 3 << 20 });
    for (const chunk of [Buffer.from("*66\r\n$5\r\nMSEND\r\n$1\r\nq\r\n"), ...Array.from({ length: 4 }, () => Buffer.concat([Buffer.from("$1048576\r\n"), body, Buffer.from("\r\n")]))]) small.p.feed(chunk);
    expect(small.p.bufferedBytes).toBe(0);
  });

  it("a large bulk not followed by CRLF is a protocol error, however it was split", () => {
    for (const split of [1000, 65_536, 1 << 20]) {
      const bad = Buffer.concat([Buffer.from("*3\r\n$4\r\nSEND\r\n$1\r\nq\r\n$100000\r\n"), Buffer.alloc(100_000, 1), Buffer.from("XX")]);
      expect(parseAll(bad, Array.from({ length: 200 }, () => split), { ...LIMITS, maxBulkBytes: 1 << 20, maxCommandBytes: 1 << 21 })).toEqual([
        { fatal: "Protocol error: expected '\\r\\n' after a bulk string" },
      ]);
    }
  });

  it("skips a bulk over the limit as it arrives, without buffering it, then goes on", () => {
    const { p, events } = parser();
    p.feed(Buffer.from("*3\r\n$4\r\nSEND\r\n$1\r\nq\r\n$10000000\r\n"));
    const chunk = Buffer.alloc(65536, 120);
    let fed = 0;
    while (fed < 10_000_000) {
      const part = chunk.subarray(0, Math.min(chunk.length, 10_000_000 - fed));
      p.feed(part);
      fed += part.length;
      expect(p.bufferedBytes).toBe(0);
    }
    p.feed(Buffer.from("\r\nPING\r\n"));
    expect(events).toEqual([{ refused: "TOO_BIG an argument is 10000000 bytes; the limit is 1024" }, { command: ["PING"] }]);
  });

  it("refuses a command whose arguments pass maxCommandBytes together, letting go of them, then goes on", () => {
    const { p, events } = parser();
    const body = Buffer.alloc(1000, 120); // each under maxBulkBytes (1024); together over maxCommandBytes (2048)
    p.feed(req("MSEND", "q", body, body));
    expect(p.bufferedBytes).toBeLessThan(2048);
    p.feed(req("MSEND", "q", body, body, body));
    p.feed(req("PING"));
    expect(events).toEqual([
      { command: ["MSEND", "q", body.toString("latin1"), body.toString("latin1")] },
      { refused: "TOO_BIG the command's arguments pass 2048 bytes together" },
      { command: ["PING"] },
    ]);
    expect(p.bufferedBytes).toBe(0);
  });

  it("refuses a command with too many arguments, reading and dropping them", () => {
    const args = Array.from({ length: 9 }, (_, i) => `a${i}`);
    expect(parseAll(Buffer.concat([req(...args), req("PING")]))).toEqual([
      { refused: "BAD_ARGUMENT too many arguments (9); the limit is 8" },
      { command: ["PING"] },
    ]);
    expect(parseAll(Buffer.from(`${args.join(" ")}\r\nPING\r\n`))).toEqual([
      { refused: "BAD_ARGUMENT too many arguments (9); the limit is 8" },
      { command: ["PING"] },
    ]);
  });

  it("protocol errors: reported once, nothing after", () => {
    const cases: Array<[string, string]> = [
      ["*1\r\n$x\r\nPING\r\n", "Protocol error: invalid bulk length"],
      ["*1\r\n$-1\r\n", "Protocol error: invalid bulk length"],
      ["*2x\r\n", "Protocol error: invalid multibulk length"],
      ["*1\n", "Protocol error: invalid multibulk length"],
      ["*-2\r\n", "Protocol error: invalid multibulk length"],
      ["*99999999999\r\n", "Protocol error: invalid multibulk length"],
      ["*1\r\n:1\r\n", "Protocol error: expected '$', got ':'"],
      ["*1\r\n$1\r\nab\r\n", "Protocol error: expected '\\r\\n' after a bulk string"],
      ["SEND q 'x\r\n", "Protocol error: unbalanced quotes in request"],
      ['SEND q "x"y\r\n', "Protocol error: unbalanced quotes in request"],
      [`ECHO ${"x".repeat(300)}\r\n`, "Protocol error: too big inline request"],
      [`ECHO ${"x".repeat(300)}`, "Protocol error: too big inline request"],
      [`*${"1".repeat(300)}`, "Protocol error: too big multibulk count string"],
      [`*1\r\n$${"1".repeat(300)}`, "Protocol error: too big bulk count string"],
    ];
    for (const [input, fatal] of cases) {
      const { p, events } = parser();
      p.feed(Buffer.from(input, "latin1"));
      p.feed(Buffer.from("PING\r\n"));
      expect(events, JSON.stringify(input)).toEqual([{ fatal }]);
      expect(p.failed).toBe(true);
    }
  });

  it("never throws and never reports after a protocol error, whatever the bytes", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 10 }), (chunks) => {
        const { p, events } = parser();
        for (const c of chunks) p.feed(Buffer.from(c));
        const fatal = events.findIndex((e) => "fatal" in e);
        expect(fatal === -1 || fatal === events.length - 1).toBe(true);
        expect(p.bufferedBytes).toBeLessThanOrEqual(LIMITS.maxBulkBytes + LIMITS.maxInlineBytes + 200);
      }),
      { numRuns: 500 },
    );
  });

  it("round-trips any arguments in multibulk form", () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.uint8Array({ maxLength: 50 }), { minLength: 1, maxLength: 8 }), { maxLength: 10 }), (commands) => {
        const input = Buffer.concat(commands.map((args) => req(...args.map((a) => Buffer.from(a)))));
        const out = parseAll(input, [7, 1, 13]);
        expect(out).toEqual(commands.map((args) => ({ command: args.map((a) => Buffer.from(a).toString("latin1")) })));
      }),
      { numRuns: 300 },
    );
  });
});

describe("splitInline (sdssplitargs rules)", () => {
  const split = (s: string) => splitInline(Buffer.from(s, "latin1"))?.map((b) => b.toString("latin1")) ?? null;
  it("splits on whitespace and reads quotes and escapes", () => {
    expect(split("  SEND   q  body ")).toEqual(["SEND", "q", "body"]);
    expect(split('SEND q "a b\\n\\r\\t\\b\\a\\\\\\"\\x41\\x4a\\xzz"')).toEqual(["SEND", "q", 'a b\n\r\t\b\x07\\"AJxzz']);
    expect(split("ECHO 'it\\'s \"quoted\"'")).toEqual(["ECHO", `it's "quoted"`]);
    expect(split('ECHO ""')).toEqual(["ECHO", ""]);
    expect(split("")).toEqual([]);
  });
  it("refuses unbalanced quotes and a closing quote followed by a non-space", () => {
    expect(split('ECHO "abc')).toBeNull();
    expect(split("ECHO 'abc")).toBeNull();
    expect(split('ECHO "a"b')).toBeNull();
  });
});
