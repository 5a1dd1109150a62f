import { defineProject } from "vitest/config";

// The benchmark's own check: each target and mode runs end to end on a few hundred messages (its
// exactly-once check included), so a target cannot break unnoticed between benchmark sittings.
export default defineProject({
  test: {
    name: "bench",
    include: ["*.test.ts"],
    testTimeout: 120_000,
  },
});
