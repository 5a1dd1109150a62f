// Replica-acknowledged writes on Redis Cluster (issue 11 item 4): WAIT counts the writes of the
// connection it goes on, so it must go to the master that took the write. With the replica of one
// master stopped, writes to a queue on that master fail UNAVAILABLE while writes to a queue on
// another master still resolve: a WAIT sent anywhere else would not tell them apart. Real parts: a
// Cluster of 3 masters with a replica each; one replica stopped by its PID.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TinyQS } from "../src/index.js";
import { RedisCluster, eventually, expectCode, rawCommand, spreadQueue } from "@tinyqs/test-support";

let cluster: RedisCluster;
let tq: TinyQS;

beforeAll(async () => {
  cluster = await RedisCluster.start(3, { replicas: 1 });
  tq = new TinyQS({ redis: { cluster: cluster.nodes.slice(0, 3) }, durability: { replicas: 1, timeoutMs: 500 }, onWarning: () => {} });
}, 60_000);
afterAll(async () => {
  await tq?.close();
  await cluster?.cleanup();
});

/** The port of the replica of the master that serves `queue`'s slot. */
async function replicaPortOf(queue: string): Promise<number> {
  const port = cluster.servers[0]!.port;
  const slot = Number(await rawCommand(port, ["CLUSTER", "KEYSLOT", `tinyqs:{${queue}}:ready`]));
  const nodes = (await rawCommand(port, ["CLUSTER", "NODES"], 2000)).trim().split("\n").map((l) => l.split(" "));
  const master = nodes.find((n) => n[2]!.includes("master") && n.slice(8).some((r) => {
    const [from, to = from] = r.split("-").map(Number);
    return slot >= from! && slot <= to!;
  }))!;
  const replica = nodes.find((n) => n[3] === master[0])!;
  return Number(replica[1]!.split("@")[0]!.split(":")[1]);
}

describe("durability: { replicas: 1 } on Redis Cluster", () => {
  it("the WAIT goes to the master that took the write: its replica stopped, only its queues fail", async () => {
    const [onA, onB] = [spreadQueue("dr", 0), spreadQueue("dr", 1)];
    // replicas catch up with their masters after the cluster forms: until then a WAIT may say 0
    await eventually(() => tq.send(onA, "warm").then(() => tq.send(onB, "warm")).then(() => true, () => false), 20_000, 200);
    const port = await replicaPortOf(onA);
    expect(await replicaPortOf(onB)).not.toBe(port);
    await cluster.servers.find((s) => s.port === port)!.stop();
    const error = await expectCode(() => tq.send(onA, "x"), "UNAVAILABLE", "a send to the master whose replica is gone");
    expect(error.message).toMatch(/^only 0 of 1 replicas acknowledged the write within 500 ms/);
    expect(await tq.sendBatch(onB, ["y", "z"])).toHaveLength(2);
  }, 60_000);
});
