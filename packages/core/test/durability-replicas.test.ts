// Replica-acknowledged writes (issue 11 item 4): with durability.replicas, every write resolves only
// once Redis's WAIT says that many replicas have it; with the replica stopped, a write fails with
// UNAVAILABLE after durability.timeoutMs, saying it may exist (it is on the master). Real parts: a
// master and a replica (redis-server --replicaof), the replica stopped and started by its PID.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TinyQS } from "../src/index.js";
import { RedisServer, eventually, expectCode, rawCommand, uniqueQueue } from "@tinyqs/test-support";

let master: RedisServer;
let replica: RedisServer;
let tq: TinyQS;

const linkUp = async () => /master_link_status:up/.test(await rawCommand(replica.port, ["INFO", "replication"]));

beforeAll(async () => {
  master = await RedisServer.start();
  replica = await RedisServer.start({ extraArgs: ["--replicaof", "127.0.0.1", String(master.port)] });
  await eventually(linkUp, 15_000, 100);
  tq = new TinyQS({ redis: master.url, durability: { replicas: 1, timeoutMs: 500 }, onWarning: () => {} });
});
afterAll(async () => {
  await tq?.close();
  await replica?.cleanup();
  await master?.cleanup();
});

describe("durability: { replicas: 1 }", () => {
  it("with the replica up, writes resolve and the replica has them", async () => {
    const q = uniqueQueue("repl");
    const ids = await Promise.all([tq.send(q, "a"), tq.send(q, "b"), tq.sendBatch(q, ["c", "d"])]);
    expect(ids.flat()).toHaveLength(4);
    // acknowledged means on the replica already: read there at once, no waiting
    expect(await rawCommand(replica.port, ["HLEN", `tinyqs:{${q}}:bodies`])).toBe("4");
    const m = (await tq.receive(q))!;
    expect(await tq.delete(q, m.receipt!)).toBe(true);
    expect(await rawCommand(replica.port, ["HLEN", `tinyqs:{${q}}:bodies`])).toBe("3");
    await tq.configure(q, { visibilityMs: 1234 });
    expect(await rawCommand(replica.port, ["HGET", `tinyqs:{${q}}:config`, "visibilityMs"])).toBe("1234");
  });

  it("with the replica stopped, a send fails UNAVAILABLE after timeoutMs, saying the write may exist; back, it works", async () => {
    const q = uniqueQueue("repl");
    await replica.stop();
    const error = await expectCode(() => tq.send(q, "unacknowledged"), "UNAVAILABLE", "a send without its replica");
    expect(error.message).toBe(
      "only 0 of 1 replicas acknowledged the write within 500 ms: it is stored on the master and may exist, but could be lost if the master fails",
    );
    expect((await tq.stats(q)).sent).toBe(1); // it is there, on the master
    await replica.restart();
    await eventually(linkUp, 15_000, 100);
    await tq.send(q, "acknowledged");
    expect(await tq.stats(q)).toMatchObject({ sent: 2, ready: 2 });
  });

  it("the option is checked: replicas 0–100, timeoutMs below the engine's Redis timeout", () => {
    expect(() => new TinyQS({ redis: master.url, durability: { replicas: -1 } })).toThrow("durability.replicas must be an integer from 0 to 100");
    expect(() => new TinyQS({ redis: master.url, timeoutMs: 2000, durability: { replicas: 1, timeoutMs: 5000 } })).toThrow(
      "durability.timeoutMs must be an integer from 1 to 1999",
    );
  });
});
