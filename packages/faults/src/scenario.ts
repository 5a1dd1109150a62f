// One fault scenario: sequence-numbered traffic over every channel at once, one fault, then the
// accounting. The steps:
//   1. every channel sends "<channel>-<n>" bodies back to back (one call in flight each) and
//      consumes the queue, all reported to a Ledger;
//   2. once each channel has had a send acknowledged and a message delivered, a little more traffic;
//   3. the fault: `fault(ctx)` injects it and resolves once it has healed it (or left it to heal);
//   4. recovery: each channel must get a send acknowledged and a delivery after that, by itself;
//   5. sends stop; the drain waits until every acknowledged send was delivered and the queue is
//      empty (what a fault left reserved comes back when its lease ends);
//   6. one line: `faults: <name> attempted=… acked=… lost=… duplicated=… failed=… maxFailMs=… recovered=yes|no`.
// expectSound() then fails the test on anything lost, duplicated beyond lease semantics, matched to
// the wrong call, hung past its bound, or not recovered.
import { expect } from "vitest";
import type { TinyQSApi } from "@tinyqs/core";
import { sleep, uniqueQueue } from "@tinyqs/test-support";
import type { Channel } from "./channels.js";
import { Ledger, type Tally } from "./ledger.js";

export interface FaultContext {
  readonly ledger: Ledger;
  readonly queue: string;
  /** Start the consumers now (for a scenario begun with consumeFromStart: false). */
  startConsumers(): void;
  /** Until `cond` holds (polled), or fail after `timeoutMs`. */
  until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs?: number): Promise<void>;
}

export interface ScenarioOptions {
  name: string;
  channels: Channel[];
  /** Looks at the queue from outside (stats), on a path the fault does not touch or that has healed. */
  checker: TinyQSApi;
  fault(ctx: FaultContext): Promise<void>;
  /** Traffic before the fault (after the warm-up). Default 1000 ms. */
  beforeMs?: number;
  /** false: the consumers start only when the fault calls startConsumers() (filling a queue). */
  consumeFromStart?: boolean;
  /** The longest recovery and drain may take, each. Default 30 000 ms. */
  recoverWithinMs?: number;
  /** A pause after each acknowledged send (ms), to keep the rate moderate on a shared machine. Default 20. */
  sendPauseMs?: number;
  /** The bodies' size (bytes, at least the sequence tag): larger bodies fill a Redis faster. */
  bodyBytes?: number;
}

export interface Outcome {
  name: string;
  tally: Tally;
  recovered: boolean;
  /** Why it did not recover, when it did not. */
  notRecovered: string;
  line: string;
  ledger: Ledger;
}

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** Sends until stopped, one call at a time. */
function producer(channel: Channel, queue: string, ledger: Ledger, o: Required<Pick<ScenarioOptions, "sendPauseMs" | "bodyBytes">>) {
  let stopping = false;
  const loop = (async () => {
    for (let seq = 1; !stopping; seq++) {
      const tag = `${channel.name}-${seq}`;
      // The body is its tag, padded with dots to bodyBytes: the ledger keys on the whole body.
      const body = o.bodyBytes > tag.length ? tag.padEnd(o.bodyBytes, ".") : tag;
      ledger.attempt(body);
      const t0 = Date.now();
      try {
        const id = await ledger.call(channel.name, channel.boundMs, () => channel.send(queue, body));
        ledger.acked(channel.name, body, id, Date.now() - t0);
        await sleep(o.sendPauseMs);
      } catch (e) {
        ledger.sendFailed(body, e);
        await sleep(50);
      }
    }
  })();
  return {
    async stop() {
      stopping = true;
      await loop;
    },
  };
}

export async function runScenario(o: ScenarioOptions): Promise<Outcome> {
  const queue = uniqueQueue(o.name);
  const ledger = new Ledger();
  const recoverWithin = o.recoverWithinMs ?? 30_000;
  const producers = o.channels.map((c) => producer(c, queue, ledger, { sendPauseMs: o.sendPauseMs ?? 20, bodyBytes: o.bodyBytes ?? 0 }));
  const consumers: Array<{ stop(): Promise<void> }> = [];
  const startConsumers = () => {
    if (consumers.length === 0) for (const c of o.channels) consumers.push(c.consume(queue, ledger));
  };
  if (o.consumeFromStart ?? true) startConsumers();
  const names = o.channels.map((c) => c.name);
  const everyChannel = (m: Map<string, number>, since: number) => names.every((n) => (m.get(n) ?? 0) > since);

  let recovered = false;
  let notRecovered = "";
  try {
    // Warm-up: every path works before the fault, so what follows is the fault's doing.
    await until(() => everyChannel(ledger.lastAck, 0) && (consumers.length === 0 || everyChannel(ledger.lastDelivery, 0)), `${o.name}: warm-up`);
    await sleep(o.beforeMs ?? 1000);
    await o.fault({ ledger, queue, startConsumers, until });
    startConsumers();
    const healedAt = Date.now();
    try {
      await until(() => everyChannel(ledger.lastAck, healedAt) && everyChannel(ledger.lastDelivery, healedAt), "every channel sending and delivering again", recoverWithin);
      recovered = true;
    } catch (e) {
      const stale = (m: Map<string, number>) => names.filter((n) => (m.get(n) ?? 0) <= healedAt);
      notRecovered = `${(e as Error).message} (no ack since: ${stale(ledger.lastAck).join(",") || "-"}; no delivery since: ${stale(ledger.lastDelivery).join(",") || "-"})`;
    }
  } finally {
    await Promise.all(producers.map((p) => p.stop()));
  }
  // Drain: everything acknowledged delivered, and nothing left in the queue (ready, reserved, delayed).
  try {
    await until(async () => {
      if (ledger.undelivered() > 0) return false;
      const s = await o.checker.stats(queue).catch(() => null);
      return s !== null && s.ready + s.inFlight + s.delayed === 0;
    }, "drain", recoverWithin);
  } catch (e) {
    recovered = false;
    notRecovered ||= `${(e as Error).message}: ${ledger.undelivered()} acknowledged sends not delivered`;
  }
  await Promise.all(consumers.map((c) => c.stop()));
  const tally = ledger.tally();
  const line = accountingLine(o.name, tally, recovered);
  console.log(line);
  return { name: o.name, tally, recovered, notRecovered, line, ledger };
}

export function accountingLine(name: string, t: Tally, recovered: boolean): string {
  const errors = Object.entries(t.errors).map(([code, n]) => `${code}:${n}`).join(",") || "-";
  return (
    `faults: ${name} attempted=${t.attempted} acked=${t.acked} lost=${t.lost} duplicated=${t.duplicated} ` +
    `failed=${t.failed} maxFailMs=${t.maxFailMs} recovered=${recovered ? "yes" : "no"} ` +
    `(maxSendMs=${t.maxSendMs} failedDelivered=${t.failedDelivered} redelivered=${t.redelivered} mismatched=${t.mismatched} hung=${t.hung} errors=${errors})`
  );
}

/** The verdict: nothing acknowledged lost, no duplicate beyond lease semantics, no reply matched to the wrong call, no call past its bound, recovered by itself. */
export function expectSound(out: Outcome): void {
  const { tally: t } = out;
  expect({ lost: t.lost, duplicated: t.duplicated, mismatched: t.mismatched, hung: t.hung }, [out.line, ...t.findings].join("\n")).toEqual({ lost: 0, duplicated: 0, mismatched: 0, hung: 0 });
  expect(out.recovered, `${out.line}\n${out.notRecovered}`).toBe(true);
  expect(t.acked, out.line).toBeGreaterThan(0);
}

export async function closeAll(channels: Channel[]): Promise<void> {
  await Promise.all(channels.map((c) => c.close().catch(() => {})));
}
