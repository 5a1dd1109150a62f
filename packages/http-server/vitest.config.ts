import { defineProject } from "vitest/config";

// The private redis-servers come from the global setup every package shares (@tinyqs/test-support;
// never the shared Redis on 6379): the tests read their address with inject("redisUrl").
export default defineProject({
  ssr: { resolve: { conditions: ["@tinyqs/source"] } },
  test: {
    name: "@tinyqs/http-server",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["@tinyqs/test-support/global-redis"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
