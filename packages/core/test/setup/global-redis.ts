// vitest globalSetup of @tinyqs/core: one private redis-server and one 3-master Redis Cluster for
// the whole run, on free ports (never 6379), in temp dirs, with nothing persisted. The tests get
// their addresses through inject("redisUrl") / inject("clusterNodes"). Teardown stops exactly these
// processes (by PID) and removes their dirs.
import type { TestProject } from "vitest/node";
import { RedisCluster, RedisServer } from "../helpers/redis-server.js";

declare module "vitest" {
  interface ProvidedContext {
    /** redis://127.0.0.1:<port> of the private single Redis. */
    redisUrl: string;
    /** "127.0.0.1:<port>" of each master of the private Redis Cluster. */
    clusterNodes: string[];
  }
}

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
