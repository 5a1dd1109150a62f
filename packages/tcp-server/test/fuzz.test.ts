// The live server fed random, truncated, mutated and oversized frames (fast-check; oversized: a bulk
// over maxMessageBytes, too many arguments, inline and header lines over maxInlineBytes): it never
// crashes, every connection gets well-formed replies and is closed cleanly, and a second client
// that stays connected throughout keeps being served.
import { randomUUID } from "node:crypto";
import net from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawClient, replyLength, req, startServer, type Running } from "./helpers.js";

let s: Running;
let observer: RawClient;
beforeAll(async () => {
  // Its own key prefix: fuzzed queue names stay out of everyone's QUEUES. Small limits, so that
  // oversized frames are cheap to make.
  s = await startServer({ prefix: `fuzz-${randomUUID().slice(0, 8)}`, maxMessageBytes: 4096, maxArgs: 16, maxInlineBytes: 1024 });
  observer = await RawClient.connect(s.port);
});
afterAll(async () => {
  observer.destroy();
  await s.server.close();
});

const word = fc.constantFrom(
  "PING", "ECHO", "SEND", "MSEND", "RECEIVE", "PEEK", "DELETE", "TOUCH", "RELEASE", "STATS", "QUEUES", "QCONFIG", "PURGE",
  "HELLO", "CLIENT", "COMMAND", "INFO", "SELECT", "AUTH", "WAIT", "COUNT", "VISIBILITY", "DELAY", "SETNAME", "q", "f", "0", "1", "20",
  "PUT", "TAKE", "RESPOND", "TIMEOUT", "q:1-1",
);
const arg = fc.oneof(word, fc.string({ maxLength: 12 }), fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a)));
const command = fc.tuple(word, fc.array(arg, { maxLength: 5 })).map(([name, args]) => req(name, ...args));

/** One frame: valid, cut short, with a flipped byte, inline, oversized, or plain noise. */
const frame = fc.oneof(
  { weight: 4, arbitrary: command },
  { weight: 1, arbitrary: fc.tuple(command, fc.nat()).map(([b, n]) => b.subarray(0, n % (b.length + 1))) },
  {
    weight: 1,
    arbitrary: fc.tuple(command, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([b, at, v]) => {
      const copy = Buffer.from(b);
      copy[at % copy.length] = v;
      return copy;
    }),
  },
  { weight: 1, arbitrary: fc.array(arg, { minLength: 1, maxLength: 4 }).map((a) => Buffer.from(`${a.map(String).join(" ")}\r\n`)) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 4097, max: 200_000 }).map((n) => Buffer.concat([Buffer.from(`*2\r\n$4\r\nECHO\r\n$${n}\r\n`), Buffer.alloc(Math.min(n, 5000), 97)])),
  },
  // Over the other limits: more arguments than maxArgs (16), an inline line or a header line longer
  // than maxInlineBytes (1024).
  { weight: 1, arbitrary: fc.integer({ min: 17, max: 64 }).map((n) => req("MSEND", "q", ...Array.from({ length: n - 2 }, (_, i) => `b${i}`))) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 1025, max: 8000 }), fc.constantFrom("ECHO ", "*", "*1\r\n$"), fc.boolean())
      .map(([n, head, eol]) => Buffer.from(`${head}${"9".repeat(n)}${eol ? "\r\n" : ""}`)),
  },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.constantFrom("*", "$", "*1\r\n", "*1\r\n$", "*99999999\r\n", "\r\n", "*2\r\n$4\r\nPING\r\n").map((t) => Buffer.from(t)) },
);

/** Send the frames (in random chunks), close our side, and collect everything until the server closes. */
function session(frames: Buffer[], splits: number[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port: s.port, host: "127.0.0.1" });
    const got: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error("the server did not close the connection within 10 s"));
    }, 10_000);
    sock.on("data", (d) => got.push(d));
    sock.on("error", () => {}); // the server may close first (QUIT, protocol error): writes then fail
    sock.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(got));
    });
    sock.on("connect", () => {
      const all = Buffer.concat(frames);
      let at = 0;
      for (const n of splits) {
        if (at >= all.length) break;
        sock.write(all.subarray(at, at + n));
        at += n;
      }
      sock.end(all.subarray(at));
    });
  });
}

describe("fuzzed frames", () => {
  it("never crash the server, always get well-formed replies, and leave other clients served", async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 8 }), async (frames, splits) => {
        runs++;
        const out = await session(frames, splits);
        // Whatever came back is a sequence of complete RESP replies, nothing else.
        let at = 0;
        while (at < out.length) {
          const n = replyLength(out, at);
          expect(n, `cut reply in ${JSON.stringify(out.toString("latin1").slice(at, at + 80))}`).toBeGreaterThan(0);
          at += n;
        }
        // A protocol error is always the last reply.
        const text = out.toString("latin1");
        const perr = text.indexOf("-ERR Protocol error:");
        if (perr >= 0) expect(text.indexOf("\r\n", perr) + 2).toBe(text.length);
        expect(await observer.call(req("PING"))).toBe("+PONG\r\n");
      }),
      { numRuns: 300 },
    );
    expect(runs).toBe(300);
    expect(await observer.call(req("ECHO", "still here"))).toBe("$10\r\nstill here\r\n");
    expect(s.server.connections).toBe(1);
  });
});
