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

  it("request/response across masters: a WAIT sent before the RESPOND gets the reply, once", async () => {
    const k = await RawClient.connect(s.port);
    const waiter = await RawClient.connect(s.port);
    for (const q of Array.from({ length: 6 }, () => uniqueQueue("cl-rr"))) {
      const handle = unbulk(await k.call(req("PUT", q, `ask ${q}`)));
      waiter.write(req("WAIT", handle, "TIMEOUT", "10000"));
      const id = handle.slice(q.length + 1);
      expect(await k.call(req("TAKE", q))).toBe(message(id, `${id}.1`, `ask ${q}`, 1));
      expect(await k.call(req("RESPOND", q, `${id}.1`, `answer ${q}`))).toBe(":1\r\n");
      expect(await waiter.reply(10_000)).toBe(`$${`answer ${q}`.length}\r\nanswer ${q}\r\n`);
      expect(await k.call(req("WAIT", handle, "TIMEOUT", "0"))).toBe("$-1\r\n");
    }
    k.destroy();
    waiter.destroy();
  });
});
