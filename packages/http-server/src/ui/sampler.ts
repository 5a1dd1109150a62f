// The dashboard's live numbers: one sampler per server, shared by every viewer. Once a second it
// reads the stats of every watched queue in ONE Redis round trip (the engine's statsMany: one
// pipeline, or one per master on Redis Cluster, sent at once; with an overview open the queue list
// rides in the same pipeline) and hands the same sample to all viewers, so ten open pages cost what
// one does. It runs only while someone watches: the first viewer starts it, the last one stops it.
// Rates are the differences of the sent/received/deleted counters between two samples; each sampled
// queue keeps 15 minutes of them (history.ts) for the chart, dropped 15 minutes after the queue was
// last sampled.
import type { QueueStats } from "@tinyqs/core";
import { RateHistory, type RatePoint } from "./history.js";

/** What a sample knows of one queue: its stats and the rates since the sample before (null: first sample). */
export type QueueSample = QueueStats & { name: string; rates: Omit<RatePoint, "at"> | null };

export interface Sample {
  at: number;
  /** Every sampled queue, by name. */
  queues: ReadonlyMap<string, QueueSample>;
  /** Why this sample has no numbers (Redis unavailable …); the viewers say so and wait for the next. */
  error?: string;
}

/** Reads many queues' stats (and the queue list with `listQueues`) in one round trip: the engine's statsMany. */
export type StatsSource = (queues: string[], listQueues: boolean) => Promise<{ stats: QueueStats[]; queues?: string[] }>;

/** "*": every queue (the overview); else one queue's name (its page). */
export type Interest = "*" | string;

export interface SamplerOptions {
  intervalMs: number;
  historyMs: number;
  /** Told of each sample taken (the metrics count them). */
  sampled?: () => void;
}

interface Viewer {
  interest: Interest;
  hear(sample: Sample): void;
}

export class LiveSampler {
  private readonly viewers = new Set<Viewer>();
  private readonly last = new Map<string, { at: number; stats: QueueStats; rates: QueueSample["rates"] }>();
  private readonly histories = new Map<string, RateHistory>();
  /** The registered queues, as the last sample with an overview open listed them. */
  private known: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** Bumped by stop(): a sample still on its way from an earlier run is dropped, not a second loop. */
  private run = 0;
  private latest: Sample | null = null;

  constructor(
    private readonly source: StatsSource,
    private readonly o: SamplerOptions,
  ) {}

  /** Start hearing samples (the latest at once, if there is one); call the returned function to stop. */
  watch(interest: Interest, hear: (sample: Sample) => void): () => void {
    const viewer = { interest, hear };
    this.viewers.add(viewer);
    if (this.latest && (interest === "*" || this.latest.queues.has(interest))) hear(this.latest);
    if (!this.timer) this.schedule(0);
    return () => {
      this.viewers.delete(viewer);
      if (this.viewers.size === 0) this.stop();
    };
  }

  /** A queue's rates of the last 15 minutes (empty before it was first sampled). */
  history(queue: string): ReturnType<RateHistory["columns"]> {
    return (this.histories.get(queue) ?? new RateHistory(1)).columns(Date.now() - this.o.historyMs);
  }

  get watching(): number {
    return this.viewers.size;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.latest = null;
    this.run++;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const started = Date.now();
    const run = this.run;
    const all = [...this.viewers].some((v) => v.interest === "*");
    const wanted = new Set<string>(all ? this.known : []);
    for (const v of this.viewers) if (v.interest !== "*") wanted.add(v.interest);
    let sample: Sample;
    try {
      sample = await this.read([...wanted], all);
    } catch (e) {
      sample = { at: started, queues: new Map(), error: (e as Error).message };
    }
    this.o.sampled?.();
    if (run !== this.run) return; // everyone left while Redis answered
    this.latest = sample;
    for (const v of this.viewers) if (v.interest === "*" || sample.error || sample.queues.has(v.interest)) v.hear(sample);
    this.forgetOld(started);
    this.schedule(Math.max(0, started + this.o.intervalMs - Date.now()));
  }

  /** One round trip; a second one only for queues the listing shows for the first time. */
  private async read(wanted: string[], all: boolean): Promise<Sample> {
    const first = await this.source(wanted, all);
    const names = [...wanted];
    const stats = [...first.stats];
    if (all) {
      const fresh = (first.queues ?? []).filter((q) => !wanted.includes(q));
      if (fresh.length) {
        stats.push(...(await this.source(fresh, false)).stats);
        names.push(...fresh);
      }
      this.known = first.queues ?? [];
    }
    const at = Date.now();
    const queues = new Map<string, QueueSample>();
    names.forEach((name, i) => queues.set(name, this.record(name, stats[i]!, at)));
    return { at, queues: new Map([...queues].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
  }

  /** The queue's sample, its rates from the previous one (a counter that went down — a deleted queue — starts again). */
  private record(name: string, stats: QueueStats, at: number): QueueSample {
    const before = this.last.get(name);
    // A sample soon after the one before (a viewer arrived just after the sampler stopped) would
    // divide a second's moves by a fraction of it: it shows the rates of before and records nothing.
    if (before && at - before.at < this.o.intervalMs / 2) return { name, ...stats, rates: before.rates };
    if (before && at - before.at > 3 * this.o.intervalMs) {
      // Nobody watched for a while: no rate across the gap, and a break in the chart's lines there
      // (NaN is null in the JSON, which the chart draws as a gap).
      this.histories.get(name)?.add({ at: before.at + this.o.intervalMs, sent: NaN, received: NaN, deleted: NaN });
      this.last.set(name, { at, stats, rates: null });
      return { name, ...stats, rates: null };
    }
    const seconds = before ? (at - before.at) / 1000 : 0;
    const rate = (now: number, then: number) => (now >= then ? (now - then) / seconds : 0);
    const rates = before
      ? { sent: rate(stats.sent, before.stats.sent), received: rate(stats.received, before.stats.received), deleted: rate(stats.deleted, before.stats.deleted) }
      : null;
    this.last.set(name, { at, stats, rates });
    if (!rates) return { name, ...stats, rates };
    let history = this.histories.get(name);
    if (!history) this.histories.set(name, (history = new RateHistory(Math.ceil(this.o.historyMs / this.o.intervalMs))));
    history.add({ at, ...rates });
    return { name, ...stats, rates };
  }

  /** Queues not sampled for the history's length: their counters and history go. */
  private forgetOld(now: number): void {
    for (const [name, { at }] of this.last) {
      if (now - at <= this.o.historyMs) continue;
      this.last.delete(name);
      this.histories.delete(name);
    }
  }
}
