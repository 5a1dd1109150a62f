// Request/response over the wire (PUT, TAKE, RESPOND, WAIT), with real clients: ioredis with its
// default options and the redis-cli binary, against a server on the private Redis. A reply reaches
// its waiter exactly once; only the current reservation may answer; a WAIT blocks its own
// connection only; and a waiter that leaves loses no reply.
import { TinyQS } from "@tinyqs/core";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTcpServer } from "../src/index.js";
import { RawClient, bulk, eventually, redisCli, req, sleep, startServer, uniqueQueue, unbulk, type Running } from "./helpers.js";

let s: Running;
let redis: Redis;
const clients: Redis[] = [];
/** Another connection: a WAIT or a TAKE … WAIT blocks the connection it is sent on. */
const connection = () => {
  const c = redis.duplicate();
  clients.push(c);
  return c;
};
const cli = (...args: string[]) => redisCli(s.port, ["--no-raw", ...args]);

beforeAll(async () => {
  s = await startServer();
  redis = new Redis({ port: s.port });
});
afterAll(async () => {
  for (const c of [redis, ...clients]) c.disconnect();
  await s.server.close();
});

type Wire = [id: string, receipt: string, body: string, receiveCount: number, sentAt: number];
const HANDLE = (q: string) => new RegExp(`^${q}:(\\d+-\\d+)$`);
const blockedClients = async () => Number(/blocked_clients:(\d+)/.exec((await redis.call("INFO", "clients")) as string)![1]);

describe("request/response with ioredis", () => {
  it("PUT → TAKE → RESPOND → WAIT: the reply once, then nil; the request is gone", async () => {
    const q = uniqueQueue("rr");
    const handle = (await redis.call("PUT", q, "2 + 2")) as string;
    const [, id] = HANDLE(q).exec(handle)!;

    const m = (await redis.call("TAKE", q, "VISIBILITY", "60000")) as Wire;
    expect(m).toEqual([id, `${id}.1`, "2 + 2", 1, Number(id!.split("-")[0])]);
    expect(await redis.call("RESPOND", q, m[1], "4")).toBe(1);

    expect(await redis.call("WAIT", handle)).toBe("4");
    expect(await redis.call("WAIT", handle, "TIMEOUT", "0")).toBeNull();
    expect(await redis.call("STATS", q)).toEqual(["ready", 0, "inFlight", 0, "delayed", 0, "sent", 1, "received", 1, "deleted", 1, "deadLettered", 0, "deduplicated", 0, "paused", 0, "oldestReadyAgeMs", null]);
  });

  it("a reply with all 256 byte values arrives byte for byte (callBuffer)", async () => {
    const q = uniqueQueue("rr");
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const handle = (await redis.call("PUT", q, bytes)) as string;
    const m = (await redis.callBuffer("TAKE", q)) as Buffer[];
    expect(Buffer.compare(m[2]!, bytes)).toBe(0);
    expect(await redis.call("RESPOND", q, m[1]!, bytes.reverse())).toBe(1);
    expect(Buffer.compare((await redis.callBuffer("WAIT", handle)) as Buffer, bytes)).toBe(0);
  });

  it("a responder whose lease ran out: another takes the request, only its reply counts", async () => {
    const q = uniqueQueue("rr");
    const first = connection();
    const second = connection();
    const handle = (await redis.call("PUT", q, "job")) as string;

    const a = (await first.call("TAKE", q, "VISIBILITY", "150")) as Wire;
    expect(a[3]).toBe(1);
    // The lease ends; a TAKE that waits gets the request again, delivered a second time.
    const b = (await second.call("TAKE", q, "WAIT", "10000")) as Wire;
    expect(b.slice(0, 4)).toEqual([a[0], `${a[0]}.2`, "job", 2]);

    expect(await first.call("RESPOND", q, a[1], "from the first")).toBe(0); // too late: stored nothing
    expect(await second.call("RESPOND", q, b[1], "from the second")).toBe(1);
    expect(await redis.call("WAIT", handle, "TIMEOUT", "1000")).toBe("from the second");
    expect(await redis.call("WAIT", handle, "TIMEOUT", "0")).toBeNull();
  });

  it("a second RESPOND answers 0 and does not replace the first reply", async () => {
    const q = uniqueQueue("rr");
    const handle = (await redis.call("PUT", q, "once")) as string;
    const m = (await redis.call("TAKE", q)) as Wire;
    expect(await redis.call("RESPOND", q, m[1], "first")).toBe(1);
    expect(await redis.call("RESPOND", q, m[1], "second")).toBe(0);
    expect(await redis.call("WAIT", handle, "TIMEOUT", "0")).toBe("first");
  });

  it("stale and unknown receipts answer 0 and store nothing", async () => {
    const q = uniqueQueue("rr");
    const handle = (await redis.call("PUT", q, "r")) as string;
    const m = (await redis.call("TAKE", q)) as Wire;
    expect(await redis.call("RELEASE", q, m[1])).toBe(1); // the reservation ends: its receipt is stale
    expect(await redis.call("RESPOND", q, m[1], "stale")).toBe(0);
    expect(await redis.call("RESPOND", q, `${m[0]}.9`, "not a delivery")).toBe(0);
    expect(await redis.call("RESPOND", q, m[0], "an id, not a receipt")).toBe(0);
    expect(await redis.call("RESPOND", q, "1-1.1", "unknown")).toBe(0);
    expect(await redis.call("RESPOND", uniqueQueue("rr"), m[1], "another queue")).toBe(0);
    expect(await redis.call("WAIT", handle, "TIMEOUT", "0")).toBeNull();
    // The request is untouched and can still be answered by its next taker.
    const again = (await redis.call("TAKE", q)) as Wire;
    expect(again[3]).toBe(2);
    expect(await redis.call("RESPOND", q, again[1], "ok")).toBe(1);
    expect(await redis.call("WAIT", handle, "TIMEOUT", "0")).toBe("ok");
  });

  it("WAIT … TIMEOUT ends with nil when no reply comes", async () => {
    const q = uniqueQueue("rr");
    const handle = (await redis.call("PUT", q, "unanswered")) as string;
    const started = Date.now();
    expect(await redis.call("WAIT", handle, "TIMEOUT", "300")).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250); // it waited, rather than looking once
    expect(await redis.call("STATS", q)).toEqual(expect.arrayContaining(["ready", 1])); // the request stays
  });

  it("a reply not collected within the queue's replyTtlMs expires", async () => {
    const q = uniqueQueue("rr");
    expect(await redis.call("QCONFIG", q, "replyTtlMs", "200")).toEqual(expect.arrayContaining(["replyTtlMs", 200]));
    const handle = (await redis.call("PUT", q, "soon forgotten")) as string;
    const m = (await redis.call("TAKE", q)) as Wire;
    expect(await redis.call("RESPOND", q, m[1], "too late to collect")).toBe(1);
    await sleep(400);
    expect(await redis.call("WAIT", handle, "TIMEOUT", "0")).toBeNull();
  });

  it("a WAIT blocks its own connection only, and a RESPOND from another connection wakes it", async () => {
    const q = uniqueQueue("rr");
    const waiter = connection();
    const responder = connection();
    const handle = (await redis.call("PUT", q, "question")) as string;
    let answered = false;
    const waiting = waiter.call("WAIT", handle, "TIMEOUT", "20000").finally(() => (answered = true));
    await eventually(async () => (await blockedClients()) >= 1);

    // Meanwhile the other connections are served.
    expect(await redis.call("PING", "still here")).toBe("still here");
    const other = uniqueQueue("rr-other");
    await redis.call("SEND", other, "x");
    expect(((await responder.call("RECEIVE", other)) as Wire)[2]).toBe("x");
    expect(answered).toBe(false);

    const m = (await responder.call("TAKE", q)) as Wire;
    expect(await responder.call("RESPOND", q, m[1], "answer")).toBe(1);
    expect(await waiting).toBe("answer");
    expect(await redis.call("WAIT", handle, "TIMEOUT", "0")).toBeNull();
  });

  it("pipelined: 100 requests taken and answered in pipelines, each reply reaches its own handle", async () => {
    const q = uniqueQueue("rr");
    const puts = redis.pipeline();
    for (let i = 0; i < 100; i++) puts.call("PUT", q, `n${i}`);
    const handles = (await puts.exec())!.map(([err, h]) => (expect(err).toBeNull(), h as string));

    const takes = redis.pipeline();
    for (let i = 0; i < 100; i++) takes.call("TAKE", q);
    const taken = (await takes.exec())!.map(([err, m]) => (expect(err).toBeNull(), m as Wire));
    const responds = redis.pipeline();
    for (const m of taken) responds.call("RESPOND", q, m[1], `reply to ${m[2]}`);
    expect((await responds.exec())!.map(([, r]) => r)).toEqual(Array(100).fill(1));

    const waits = redis.pipeline();
    for (const h of handles) waits.call("WAIT", h, "TIMEOUT", "0");
    expect((await waits.exec())!.map(([, r]) => r)).toEqual(handles.map((_, i) => `reply to n${i}`));
  });

  it("errors: bad handle, bad TIMEOUT, wrong arity, syntax, a reply over maxMessageBytes", async () => {
    const q = uniqueQueue("rr");
    for (const bad of ["no-colon", `${q}:`, `${q}:abc`, "bad name:1-1", ":1-1"]) {
      await expect(redis.call("WAIT", bad, "TIMEOUT", "0"), bad).rejects.toThrow(/^BAD_ARGUMENT bad reply handle /);
    }
    await expect(redis.call("WAIT", `${q}:1-1`, "TIMEOUT", "soon")).rejects.toThrow('BAD_ARGUMENT TIMEOUT must be an integer from 0 to 3600000, got "soon"');
    await expect(redis.call("WAIT", `${q}:1-1`, "TIMEOUT", "3600001")).rejects.toThrow(/^BAD_ARGUMENT TIMEOUT must be/);
    await expect(redis.call("TAKE", q, "WAIT", "-1")).rejects.toThrow(/^BAD_ARGUMENT WAIT must be/);
    await expect(redis.call("TAKE", q, "VISIBILITY", "0")).rejects.toThrow(/^BAD_ARGUMENT VISIBILITY must be/);
    await expect(redis.call("RESPOND", q, "r".repeat(257), "x")).rejects.toThrow(/^BAD_ARGUMENT /);
    await expect(redis.call("PUT", "bad name", "x")).rejects.toThrow(/^BAD_NAME /);

    const arity = (name: string) => `ERR wrong number of arguments for '${name}' command`;
    await expect(redis.call("PUT", q)).rejects.toThrow(arity("put"));
    await expect(redis.call("PUT", q, "a", "b")).rejects.toThrow(arity("put"));
    await expect(redis.call("TAKE")).rejects.toThrow(arity("take"));
    await expect(redis.call("RESPOND", q, "1-1.1")).rejects.toThrow(arity("respond"));
    await expect(redis.call("RESPOND", q, "1-1.1", "a", "b")).rejects.toThrow(arity("respond"));
    await expect(redis.call("WAIT")).rejects.toThrow(arity("wait"));

    await expect(redis.call("TAKE", q, "COUNT", "2")).rejects.toThrow("ERR syntax error");
    await expect(redis.call("WAIT", `${q}:1-1`, "TIMEOUT")).rejects.toThrow("ERR syntax error");
    await expect(redis.call("WAIT", `${q}:1-1`, "TIMEOUT", "1", "TIMEOUT", "2")).rejects.toThrow("ERR syntax error");

    await redis.call("QCONFIG", q, "maxMessageBytes", "4");
    const handle = (await redis.call("PUT", q, "ok")) as string;
    const m = (await redis.call("TAKE", q)) as Wire;
    await expect(redis.call("RESPOND", q, m[1], "12345")).rejects.toThrow(/^TOO_BIG /);
    expect(await redis.call("RESPOND", q, m[1], "1234")).toBe(1); // the request waited for a reply that fits
    expect(await redis.call("WAIT", handle, "TIMEOUT", "0")).toBe("1234");
  });
});

describe("clients that leave", () => {
  it("a client that disconnects during WAIT: the reply is collected later by a new WAIT", async () => {
    const q = uniqueQueue("rr");
    const handle = (await redis.call("PUT", q, "question")) as string;
    const quitter = connection();
    const gone = quitter.call("WAIT", handle, "TIMEOUT", "30000").catch((e: Error) => e);
    await eventually(async () => (await blockedClients()) >= 1);
    quitter.disconnect(); // ioredis ends its side: the server ends the wait and may still answer it, nil
    const got = await gone;
    expect(got === null || got instanceof Error, String(got)).toBe(true);
    await eventually(async () => (await blockedClients()) === 0);

    const m = (await redis.call("TAKE", q)) as Wire;
    expect(await redis.call("RESPOND", q, m[1], "kept for you")).toBe(1);
    expect(await connection().call("WAIT", handle, "TIMEOUT", "5000")).toBe("kept for you");
  });

  it("waiters that leave as their replies are stored: every reply is handed over exactly once", async () => {
    // Half of the waiters close their sending side (FIN) as the replies are stored. A reply the
    // server wrote to a connection before it saw the FIN counts as delivered; one it was collecting
    // at that instant is put back; either way the WAIT itself is answered (the reply, or nil) before
    // the server closes. So for each leaver exactly one of: the reply arrived on its socket, or a
    // new WAIT gets it. Never both, never neither.
    const q = uniqueQueue("rr-race");
    const n = 40;
    const handles = await Promise.all(Array.from({ length: n }, (_, i) => redis.call("PUT", q, `q${i}`) as Promise<string>));
    const waiters = await Promise.all(handles.map(() => RawClient.connect(s.port)));
    waiters.forEach((k, i) => k.write(req("WAIT", handles[i]!, "TIMEOUT", "30000")));
    await eventually(async () => (await blockedClients()) === n);
    const taken = await Promise.all(handles.map(() => redis.call("TAKE", q) as Promise<Wire>));
    const replyTo = (i: number) => `a${i}`;

    // All replies are stored, and meanwhile the leavers go, 0 to 9 event-loop turns after the
    // RESPONDs are sent. The server runs in this process, so the FINs land all over its respond →
    // announce → collect → write sequence: before a reply was collected, while it was being
    // collected (the put-back), and after it was written.
    const responds = redis.pipeline();
    for (const m of taken) responds.call("RESPOND", q, m[1], replyTo(Number(m[2].slice(1))));
    const stored = responds.exec();
    const leavers = waiters.slice(0, n / 2);
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    await Promise.all(
      leavers.map(async (k, i) => {
        for (let t = 0; t < i % 10; t++) await turn();
        k.socket.end();
      }),
    );
    expect((await stored)!.map(([, r]) => r)).toEqual(Array(n).fill(1));

    const stayed = await Promise.all(waiters.slice(n / 2).map((k) => k.reply(10_000)));
    expect(stayed).toEqual(handles.slice(n / 2).map((_, i) => bulk(replyTo(i + n / 2))));
    // What reached each leaver before the server closed the connection: its WAIT's answer. Once
    // closed, the server's wait is over, and a reply it put back is stored again.
    const arrived = await Promise.all(leavers.map((k) => k.rest(10_000)));
    for (let i = 0; i < n; i++) {
      const left = await redis.call("WAIT", handles[i]!, "TIMEOUT", "0");
      if (i >= n / 2 || arrived[i] === bulk(replyTo(i))) {
        expect(left, `${handles[i]}: handed over, yet still collectable`).toBeNull();
      } else {
        expect(arrived[i], `${handles[i]}: what its WAIT answered`).toBe(bulk(null));
        expect(left, `${handles[i]}: neither written to its waiter nor collectable`).toBe(replyTo(i));
      }
    }
    for (const k of waiters) k.destroy();
  });

  it("a client that disconnects during TAKE … WAIT: nothing is reserved for it", async () => {
    const q = uniqueQueue("rr");
    const quitter = await RawClient.connect(s.port);
    quitter.write(req("TAKE", q, "WAIT", "30000"));
    await eventually(async () => (await blockedClients()) >= 1);
    quitter.destroy();
    await eventually(async () => (await blockedClients()) === 0);

    const handle = (await redis.call("PUT", q, "precious")) as string;
    const m = (await redis.call("TAKE", q)) as Wire;
    expect([m[2], m[3]]).toEqual(["precious", 1]); // never delivered to the client that left
    expect(await redis.call("RESPOND", q, m[1], "done")).toBe(1);
    expect(await redis.call("WAIT", handle, "TIMEOUT", "0")).toBe("done");
  });

  it("server shutdown: a waiting WAIT answers nil and the reply, stored later, stays collectable", async () => {
    const engine = new TinyQS({ redis: inject("redisUrl") });
    const own = createTcpServer({ engine });
    const { port } = await own.listen(0, "127.0.0.1");
    const q = uniqueQueue("rr");
    try {
      const k = await RawClient.connect(port);
      const handle = unbulk(await k.call(req("PUT", q, "question")));
      k.write(req("WAIT", handle, "TIMEOUT", "30000"));
      const observer = await RawClient.connect(port);
      await eventually(async () => (await observer.call(req("INFO", "clients"))).includes("blocked_clients:1\r\n"));
      observer.destroy();
      const closing = own.close();
      expect(await k.reply(10_000)).toBe("$-1\r\n");
      await closing;
      const m = await engine.take(q);
      expect(await engine.respond(q, m!.receipt!, "after all")).toBe(true);
      expect((await engine.wait(handle, { timeoutMs: 0 }))?.toString()).toBe("after all");
      k.destroy();
    } finally {
      await engine.close();
    }
  });
});

describe("request/response with redis-cli, one command per process", () => {
  it("PUT, TAKE, RESPOND, WAIT as a person types them", async () => {
    const q = uniqueQueue("cli-rr");
    const handle = /^"(.+)"\n$/.exec(await cli("PUT", q, "what time is it"))![1]!;
    const [, id] = HANDLE(q).exec(handle)!;
    expect(await cli("TAKE", q, "VISIBILITY", "60000")).toBe(
      `1) "${id}"\n2) "${id}.1"\n3) "what time is it"\n4) (integer) 1\n5) (integer) ${id!.split("-")[0]}\n`,
    );
    expect(await cli("RESPOND", q, `${id}.1`, "tea time")).toBe("(integer) 1\n");
    expect(await cli("RESPOND", q, `${id}.1`, "tea time")).toBe("(integer) 0\n");
    expect(await cli("WAIT", handle)).toBe('"tea time"\n');
    expect(await cli("WAIT", handle, "TIMEOUT", "0")).toBe("(nil)\n");
    expect(await cli("TAKE", q)).toBe("(nil)\n");
  });

  it("a WAIT blocks until another process responds", async () => {
    const q = uniqueQueue("cli-rr");
    const handle = /^"(.+)"\n$/.exec(await cli("PUT", q, "ping?"))![1]!;
    const waiting = cli("WAIT", handle, "TIMEOUT", "20000");
    await eventually(async () => (await blockedClients()) >= 1);
    const taken = await cli("TAKE", q);
    const receipt = /^2\) "(.+)"$/m.exec(taken)![1]!;
    expect(await cli("RESPOND", q, receipt, "pong!")).toBe("(integer) 1\n");
    expect(await waiting).toBe('"pong!"\n');
  });

  it("errors and help as redis-cli shows them", async () => {
    expect(await cli("WAIT", "nonsense")).toMatch(/^\(error\) BAD_ARGUMENT bad reply handle "nonsense"/);
    expect(await cli("RESPOND", "q", "1-1.1")).toBe("(error) ERR wrong number of arguments for 'respond' command\n");
    expect(await cli("COMMAND", "DOCS", "wait")).toMatch(/"summary"\n\s+2\) "The reply to a PUT, once/);
  });
});
