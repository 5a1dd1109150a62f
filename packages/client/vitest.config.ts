import { defineProject } from "vitest/config";

export default defineProject({
  // Tests run against the sources of core and the servers (no build needed).
  ssr: { resolve: { conditions: ["@tinyqs/source"] } },
  test: {
    name: "@tinyqs/client",
    include: ["test/**/*.test.ts"],
    // The same private redis-server setup as every package (@tinyqs/test-support): never the Redis on 6379.
    globalSetup: ["@tinyqs/test-support/global-redis"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
