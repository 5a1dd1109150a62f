// SEND … DEDUP id (issue 11 item 3): the idempotent send over RESP. A second SEND with the same dedup
// id within the queue's dedupWindowMs answers the first message's id and stores nothing; STATS
// counts it as deduplicated; a bad id is -BAD_ARGUMENT and sends nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawClient, req, startServer, uniqueQueue, type Running } from "./helpers.js";

let s: Running;
let c: RawClient;
beforeAll(async () => {
  s = await startServer();
  c = await RawClient.connect(s.port);
});
afterAll(async () => {
  c?.socket.destroy();
  await s?.server.close();
});

const idOf = (reply: string) => /^\$\d+\r\n(\d+-\d+)\r\n$/.exec(reply)?.[1];

describe("SEND … DEDUP id", () => {
  it("a second SEND with the id answers the first id, stores nothing, and STATS counts it", async () => {
    const q = uniqueQueue("dedup");
    const first = idOf(await c.call(req("SEND", q, "one", "DEDUP", "job-1")));
    expect(first).toBeDefined();
    expect(idOf(await c.call(req("SEND", q, "one again", "dedup", "job-1", "DELAY", "5000")))).toBe(first);
    expect(idOf(await c.call(req("SEND", q, "two", "DELAY", "0", "DEDUP", "job-2")))).not.toBe(first);
    const stats = await c.call(req("STATS", q));
    expect(stats).toContain("$4\r\nsent\r\n:2\r\n");
    expect(stats).toContain("$12\r\ndeduplicated\r\n:1\r\n");
    expect(stats).toContain("$5\r\nready\r\n:2\r\n");
  });

  it("a bad dedup id is -BAD_ARGUMENT; DEDUP twice or without a value is a syntax error; nothing is sent", async () => {
    const q = uniqueQueue("dedup");
    expect(await c.call(req("SEND", q, "x", "DEDUP", "has space"))).toBe(
      '-BAD_ARGUMENT a dedupId is 1-128 printable ASCII characters without spaces, got "has space"\r\n',
    );
    expect(await c.call(req("SEND", q, "x", "DEDUP", "a", "DEDUP", "b"))).toBe("-ERR syntax error\r\n");
    expect(await c.call(req("SEND", q, "x", "DEDUP"))).toBe("-ERR syntax error\r\n");
    expect(await c.call(req("STATS", q))).toContain("$4\r\nsent\r\n:0\r\n");
  });
});
