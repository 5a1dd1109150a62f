// The server over a Redis Cluster (the private 3-master cluster of the global setup), as
// `tinyqs-tcp --cluster host:port,…` runs it: the wire is the same.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { RawClient, message, req, startServer, uniqueQueue, unbulk, type Running } from "./helpers.js";

let s: Running;
beforeAll(async () => {
  s = await startServer({ redis: { cluster: inject("clusterNodes") } });
});
afterAll(() => s.server.close());

describe("on a Redis Cluster", () => {
  it("sends, receives, dead-letters and deletes across masters", async () => {
    const k = await RawClient.connect(s.port);
    const queues = Array.from({ length: 6 }, () => uniqueQueue("cl"));
    for (const q of queues) {
      const id = unbulk(await k.call(req("SEND", q, `for ${q}`)));
      expect(await k.call(req("RECEIVE", q))).toBe(message(id, `${id}.1`, `for ${q}`, 1));
      expect(await k.call(req("DELETE", q, `${id}.1`))).toBe(":1\r\n");
    }
    const q = queues[0]!;
    await k.call(req("QCONFIG", q, "maxReceives", "1", "deadLetterQueue", queues[1]!));
    await k.call(req("SEND", q, "poison"));
    const first = await k.call(req("RECEIVE", q, "VISIBILITY", "1"));
    expect(first).toMatch(/\$6\r\npoison\r\n:1\r\n/);
    await new Promise((r) => setTimeout(r, 20));
    expect(await k.call(req("RECEIVE", q))).toBe("$-1\r\n");
    expect(await k.call(req("RECEIVE", queues[1]!, "WAIT", "5000"))).toMatch(/\$6\r\npoison\r\n:1\r\n/);
    k.destroy();
  });
});
