import { defineConfig } from "vitest/config";
import projects from "./vitest.workspace.ts";

export default defineConfig({
  test: {
    projects,
    // Most test files wait on sockets, timers and redis-server processes rather than compute. On 2
    // cores vitest's default (one worker fewer than the cores: 1) ran them one at a time, 476 s;
    // three at once took 222 s with every test passing (2026-12-03).
    maxWorkers: 3,
    reporters: ["default", "./scripts/plain-summary-reporter.ts"],
  },
});
