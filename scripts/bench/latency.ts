// Send→receive latency per message: the time a send resolved (the producer knows the message is
// stored) to the time its first delivery reached the consumer. Two timestamps per sequence number,
// kept in typed arrays so recording costs next to nothing inside the timed section.
//
// A message can be delivered before its send's reply reaches the producer (the reply and the delivery
// race back over different paths); that counts as 0 ms rather than a negative latency.

export class LatencyRecorder {
  private readonly sentAt: Float64Array;
  private readonly receivedAt: Float64Array;

  constructor(n: number) {
    this.sentAt = new Float64Array(n).fill(NaN);
    this.receivedAt = new Float64Array(n).fill(NaN);
  }

  sent(seq: number, t: number): void {
    this.sentAt[seq] = t;
  }

  /** Only the first delivery counts (a duplicate is reported separately). */
  received(seq: number, t: number): void {
    if (Number.isNaN(this.receivedAt[seq]!)) this.receivedAt[seq] = t;
  }

  /** Percentiles in ms over the messages that were both sent and received. */
  summary(): { p50: number | null; p99: number | null; p999: number | null; max: number | null } {
    const d: number[] = [];
    for (let i = 0; i < this.sentAt.length; i++) {
      const v = this.receivedAt[i]! - this.sentAt[i]!;
      if (!Number.isNaN(v)) d.push(Math.max(0, v));
    }
    if (d.length === 0) return { p50: null, p99: null, p999: null, max: null };
    const sorted = Float64Array.from(d).sort();
    const at = (q: number) => round2(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
    return { p50: at(0.5), p99: at(0.99), p999: at(0.999), max: round2(sorted[sorted.length - 1]!) };
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;
