// The queue operations suite (queue-admin.ts) on one Redis and on a 3-master Redis Cluster.
import { inject } from "vitest";
import { TinyQS } from "../src/index.js";
import { adminFor, spreadQueue, uniqueQueue } from "@tinyqs/test-support";
import { describeQueueAdmin } from "./queue-admin.js";

const redisUrl = inject("redisUrl");
const clusterNodes = inject("clusterNodes");

describeQueueAdmin("one Redis", {
  cluster: false,
  engine: (options) => new TinyQS({ redis: redisUrl, ...options }),
  admin: () => adminFor({ url: redisUrl }),
  queueName: (tag) => uniqueQueue(tag),
});

describeQueueAdmin("Redis Cluster (3 masters)", {
  cluster: true,
  engine: (options) => new TinyQS({ redis: { cluster: clusterNodes }, ...options }),
  admin: () => adminFor({ nodes: clusterNodes }),
  queueName: (tag) => spreadQueue(tag),
});
