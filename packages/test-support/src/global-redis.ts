// The vitest globalSetup of every package's tests: one private redis-server and one 3-master Redis
// Cluster per project run, on free ports (never 6379), in temp dirs, with nothing persisted. The
// tests get their addresses through inject("redisUrl") / inject("clusterNodes") (typed in
// context.ts). Teardown stops exactly these processes (by PID) and removes their dirs.
import type { TestProject } from "vitest/node";
import type {} from "./context.js";
import { RedisCluster, RedisServer } from "./redis-server.js";

export default async function setup(project: TestProject) {
  const started = Date.now();
  const [single, cluster] = await Promise.all([RedisServer.start(), RedisCluster.start(3)]);
  project.provide("redisUrl", single.url);
  project.provide("clusterNodes", cluster.nodes);
  if (process.env.TINYQS_TEST_DEBUG) {
    console.log(`[global-redis] redis ${single.url} (pid ${single.pid}), cluster ${cluster.nodes.join(",")} in ${Date.now() - started} ms`);
  }
  return async () => {
    await Promise.all([single.cleanup(), cluster.cleanup()]);
  };
}
