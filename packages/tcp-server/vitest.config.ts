import { defineProject } from "vitest/config";

export default defineProject({
  // Tests run against core's sources (no build needed), like core's own tests.
  ssr: { resolve: { conditions: ["@tinyqs/source"] } },
  test: {
    name: "@tinyqs/tcp-server",
    include: ["test/**/*.test.ts"],
    // The same private redis-server (and cluster) setup as every package (@tinyqs/test-support): never 6379.
    globalSetup: ["@tinyqs/test-support/global-redis"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
