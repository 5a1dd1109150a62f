// Retried sends (issue 11 item 3): a send whose connection drops after the server stored it but
// before the reply came back is, with a dedupId (its own, or one connect(url, { retrySends: true })
// gives every send), sent again and answered with the first message's id: stored once. Without a
// dedupId the client does not send it again (it fails UNAVAILABLE: the outcome unknown). Real
// parts: both servers on the global Redis, a TCP proxy of the project's own in front of each, which
// holds the server's answer back and then cuts the connection.
import { afterAll, describe, expect, inject, it } from "vitest";
import { TinyQS } from "@tinyqs/core";
import { createHttpServer } from "@tinyqs/http-server";
import { createTcpServer } from "@tinyqs/tcp-server";
import { eventually, expectCode, proxy, uniqueQueue, type Proxy } from "@tinyqs/test-support";
import { connect, type TinyQSApi } from "../src/index.js";

const redis = inject("redisUrl");
const engine = new TinyQS({ redis });
const tcp = createTcpServer({ redis });
const http = createHttpServer({ redis, log: () => {} });
const tcpProxy = await proxy((await tcp.listen(0, "127.0.0.1")).port);
const httpProxy = await proxy((await http.listen(0, "127.0.0.1")).port);
const clients: TinyQSApi[] = [];

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all([tcpProxy.close(), httpProxy.close()]);
  await Promise.all([tcp.close(), http.close(), engine.close()]);
});

const transports: Array<[string, Proxy, string]> = [
  ["TCP", tcpProxy, `tinyqs://127.0.0.1:${tcpProxy.port}`],
  ["HTTP", httpProxy, `http://127.0.0.1:${httpProxy.port}`],
];

/**
 * `send` with the proxy holding answers back; once the server has stored `stored` messages in `q`,
 * the connection is cut (the answer lost) and answers pass again.
 */
async function cutBeforeTheReply<T>(p: Proxy, q: string, stored: number, send: () => Promise<T>): Promise<T> {
  p.hold();
  const outcome = send();
  outcome.catch(() => {}); // looked at by the caller
  await eventually(async () => (await engine.stats(q)).sent >= stored, 5000);
  p.cut();
  p.flush();
  return outcome;
}

describe.each(transports)("a send whose connection drops before its reply, over %s", (_name, p, url) => {
  const client = (retrySends: boolean) => {
    const c = connect(url, { retrySends, timeoutMs: 5000 });
    clients.push(c);
    return c;
  };

  it("retrySends: sent again, answered with the first id, stored once", async () => {
    const c = client(true);
    const q = uniqueQueue("retry");
    await c.ping(); // connected first: the cut is of an open connection
    const id = await cutBeforeTheReply(p, q, 1, () => c.send(q, "once"));
    expect(id).toMatch(/^\d+-\d+$/);
    expect(await engine.stats(q)).toMatchObject({ ready: 1, sent: 1, deduplicated: 1 });
    expect((await engine.receive(q))?.id).toBe(id);
  });

  it("retrySends, a batch: each item stored once", async () => {
    const c = client(true);
    const q = uniqueQueue("retry");
    await c.ping();
    const ids = await cutBeforeTheReply(p, q, 3, () => c.sendBatch(q, ["a", "b", "c"]));
    expect(new Set(ids).size).toBe(3);
    expect(await engine.stats(q)).toMatchObject({ ready: 3, sent: 3 });
  });

  it("a dedupId of the caller's is retried the same way, without retrySends", async () => {
    const c = client(false);
    const q = uniqueQueue("retry");
    await c.ping();
    const id = await cutBeforeTheReply(p, q, 1, () => c.send(q, "mine", { dedupId: "caller-1" }));
    expect(await engine.stats(q)).toMatchObject({ sent: 1, deduplicated: 1 });
    expect(await c.send(q, "mine", { dedupId: "caller-1" })).toBe(id);
  });

  it("without a dedupId: not sent again, UNAVAILABLE (stored once, the caller does not know)", async () => {
    const c = client(false);
    const q = uniqueQueue("retry");
    await c.ping();
    await expectCode(() => cutBeforeTheReply(p, q, 1, () => c.send(q, "plain")), "UNAVAILABLE", "a cut send without dedupId");
    expect(await engine.stats(q)).toMatchObject({ sent: 1, deduplicated: 0 });
  });
});

describe("connect's retrySends option", () => {
  it("must be a boolean", () => {
    expect(() => connect("tinyqs://127.0.0.1:1", { retrySends: "yes" as never })).toThrow("retrySends must be true or false");
  });
});
