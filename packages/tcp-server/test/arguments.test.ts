// The wire reads a number's digits and refuses one out of range before the engine call (its reply
// names the argument as written, see src/commands/arguments.ts), but the ranges are core's: each
// keyword's range is exactly what core's check of the engine option it becomes accepts.
import { checkBrowseOptions, checkDelayMs, checkMax, checkRedriveOptions, checkReplyTimeoutMs, checkVisibilityMs, checkWaitMs } from "@tinyqs/core";
import { describe, expect, it } from "vitest";
import { NUMBER_OPTIONS, type NumberOption } from "../src/commands/arguments.js";

const CORE_CHECK: Record<NumberOption, (n: number) => unknown> = {
  COUNT: checkMax,
  WAIT: checkWaitMs,
  VISIBILITY: checkVisibilityMs,
  DELAY: checkDelayMs,
  TIMEOUT: checkReplyTimeoutMs,
  OFFSET: (offset) => checkBrowseOptions({ state: "ready", offset }),
  LIMIT: (limit) => checkBrowseOptions({ state: "ready", limit }),
  BODYBYTES: (bodyBytes) => checkBrowseOptions({ state: "ready", bodyBytes }),
  MAX: (max) => checkRedriveOptions("q", { max }),
};

describe("the number options' ranges", () => {
  for (const [key, { min, max }] of Object.entries(NUMBER_OPTIONS) as Array<[NumberOption, { min: number; max: number }]>) {
    it(`${key}: ${min} to ${max}, as core's check`, () => {
      const check = CORE_CHECK[key];
      expect(() => check(min)).not.toThrow();
      expect(() => check(max)).not.toThrow();
      expect(() => check(min - 1)).toThrow(/must be an integer/);
      expect(() => check(max + 1)).toThrow(/must be an integer/);
    });
  }
});
