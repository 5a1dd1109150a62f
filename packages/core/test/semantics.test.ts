// The shared semantics suites (semantics.ts, request-response.ts) on one private Redis.
import { inject } from "vitest";
import { TinyQS } from "../src/index.js";
import { adminFor } from "@tinyqs/test-support";
import { describeRequestResponse } from "./request-response.js";
import { describeSemantics, type EngineOptions } from "./semantics.js";

const redisUrl = inject("redisUrl");

const engine = (options?: EngineOptions) => new TinyQS({ redis: redisUrl, ...options });
const suite = { cluster: false, admin: () => adminFor({ url: redisUrl }) };
describeSemantics("one Redis", engine, suite);
describeRequestResponse("one Redis", engine, suite);
