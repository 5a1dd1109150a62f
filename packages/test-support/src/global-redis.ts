// The vitest globalSetup of every package's tests: one private redis-server and one 3-master Redis
// Cluster per project run, on free ports (never 6379), in temp dirs removed at the end. They run with
// an append-only file that is never fsynced: nothing lasts past the run, and the engines see
// `appendonly yes`, so they do not warn that sends are not durable in every test that watches its
// output (the warning has tests of its own, on servers of their own). The tests get their addresses
// through inject("redisUrl") / inject("clusterNodes") (typed in context.ts). Teardown stops exactly these processes (by PID) and removes their dirs.
import type { TestProject } from "vitest/node";
import type {} from "./context.js";
import { RedisCluster, RedisServer } from "./redis-server.js";

export default async function setup(project: TestProject) {
  const started = Date.now();
  const aof = ["--appendonly", "yes", "--appendfsync", "no"];
  const [single, cluster] = await Promise.all([RedisServer.start({ extraArgs: aof }), RedisCluster.start(3, { extraArgs: aof })]);
  project.provide("redisUrl", single.url);
  project.provide("clusterNodes", cluster.nodes);
  if (process.env.TINYQS_TEST_DEBUG) {
    console.log(`[global-redis] redis ${single.url} (pid ${single.pid}), cluster ${cluster.nodes.join(",")} in ${Date.now() - started} ms`);
  }
  return async () => {
    await Promise.all([single.cleanup(), cluster.cleanup()]);
  };
}
