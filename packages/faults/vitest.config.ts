import { defineProject } from "vitest/config";

export default defineProject({
  // The scenarios run against the sources of the packages (no build needed), as the packages' tests do.
  ssr: { resolve: { conditions: ["@tinyqs/source"] } },
  test: {
    name: "@tinyqs/faults",
    include: ["test/**/*.test.ts"],
    // No globalSetup: every scenario starts the Redis it breaks (a server, an AOF one, a Cluster
    // with replicas, a full one) through @tinyqs/test-support and stops it by PID.
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
