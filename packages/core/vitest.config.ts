import { defineProject } from "vitest/config";

export default defineProject({
  ssr: { resolve: { conditions: ["@tinyqs/source"] } },
  test: {
    name: "@tinyqs/core",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // One private redis-server and one Redis Cluster for the run (never the Redis on 6379).
    globalSetup: ["@tinyqs/test-support/global-redis"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
