// The shared semantics suite (semantics.ts) on one private Redis.
import { inject } from "vitest";
import { TinyQS } from "../src/index.js";
import { adminFor } from "./helpers/util.js";
import { describeSemantics } from "./semantics.js";

const redisUrl = inject("redisUrl");

describeSemantics("one Redis", (options) => new TinyQS({ redis: redisUrl, ...options }), {
  cluster: false,
  admin: () => adminFor({ url: redisUrl }),
});
