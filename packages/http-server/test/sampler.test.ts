// The live sampler on the real engine, sampling fast (every 50 ms) so that its rules show in a
// moment: rates from the counters, a gap in the history where nobody watched, one loop however
// often viewers come and go.
import { afterAll, expect, inject, it } from "vitest";
import { TinyQS } from "@tinyqs/core";
import { LiveSampler, type Sample } from "../src/ui/sampler.js";
import { statsSource } from "../src/ui/stats-source.js";
import { eventually, sleep, uniqueQueue } from "./helpers.js";

const engine = new TinyQS({ redis: inject("redisUrl"), onWarning: () => {} });
afterAll(() => engine.close());

let samples = 0;
const sampler = new LiveSampler(statsSource(engine, engine), { intervalMs: 50, historyMs: 60_000, sampled: () => samples++ });

it("records rates while watched, a gap where nobody watched, and stops in between", async () => {
  const q = uniqueQueue("sampler");
  await engine.send(q, "a");
  const seen: Sample[] = [];
  let stop = sampler.watch(q, (s) => seen.push(s));
  await eventually(() => seen.length >= 3);
  await engine.sendBatch(q, ["b", "c"]);
  await eventually(() => seen.some((s) => (s.queues.get(q)?.rates?.sent ?? 0) > 0));
  stop();
  const stoppedAt = samples;
  await sleep(400); // 8 intervals with nobody watching
  expect(samples).toBe(stoppedAt);

  seen.length = 0;
  stop = sampler.watch(q, (s) => seen.push(s));
  await eventually(() => seen.length >= 3);
  stop();
  const history = sampler.history(q);
  expect(history.at.length).toBeGreaterThan(3);
  // One point of the gap, NaN (null in the stream's JSON), between the two watches.
  const gaps = history.sent.map((v, i) => (Number.isNaN(v) ? i : -1)).filter((i) => i >= 0);
  expect(gaps).toHaveLength(1);
  expect(JSON.parse(JSON.stringify(history)).sent[gaps[0]!]).toBeNull();
  // Rates are never negative, and only finite outside the gap.
  expect(history.sent.filter((v) => !Number.isNaN(v)).every((v) => v >= 0 && Number.isFinite(v))).toBe(true);
});

it("viewers coming and going quickly leave one sampling loop", async () => {
  const q = uniqueQueue("sampler");
  for (let i = 0; i < 20; i++) sampler.watch(q, () => {})();
  const seen: number[] = [];
  const stop = sampler.watch(q, (s) => seen.push(s.at));
  await sleep(520);
  stop();
  // One loop takes a sample every 50 ms: about 10 here; a second loop would double it.
  expect(seen.length).toBeLessThanOrEqual(14);
  expect(new Set(seen).size).toBe(seen.length);
});
