import { defineConfig } from "vitest/config";
import projects from "./vitest.workspace.ts";

export default defineConfig({
  test: {
    projects,
    // One test file at a time (vitest's default on 2 cores). Three at once took the suite from 476 s
    // to 222 s, but two timing-sensitive tests failed in 2 of 5 runs that way (a 300 ms lease over
    // the WebSocket; a send squeezing into a Redis just filled): harden such tests before raising it.
    reporters: ["default", "./scripts/plain-summary-reporter.ts"],
  },
});
