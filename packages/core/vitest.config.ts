import { defineProject } from "vitest/config";

export default defineProject({
  ssr: { resolve: { conditions: ["@tinyqs/source"] } },
  test: {
    name: "@tinyqs/core",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["./test/setup/global-redis.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
