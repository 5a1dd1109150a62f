// What each conformance part does with the implementations it makes: hand out a fresh one per test
// and close them all once the part is over (inside a describe, so its afterAll is that part's).
import { afterAll } from "vitest";
import type { TinyQSApi } from "@tinyqs/core";

export function trackedApis(makeApi: () => TinyQSApi | Promise<TinyQSApi>): () => Promise<TinyQSApi> {
  const made: TinyQSApi[] = [];
  afterAll(() => Promise.all(made.map((a) => a.close().catch(() => {}))));
  return async () => {
    const a = await makeApi();
    made.push(a);
    return a;
  };
}
