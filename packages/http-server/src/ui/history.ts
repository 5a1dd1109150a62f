// The throughput history of one queue for the dashboard's chart: the last 15 minutes of per-second
// rates (sent, received, deleted), in a fixed ring of Float64Arrays, so a queue's history costs the
// same memory (900 points × 4 numbers × 8 bytes ≈ 28 KiB) however long the server runs.
export interface RatePoint {
  /** When the sample was taken (ms since the epoch). */
  at: number;
  /** Messages per second since the sample before. */
  sent: number;
  received: number;
  deleted: number;
}

export class RateHistory {
  private readonly at: Float64Array;
  private readonly sent: Float64Array;
  private readonly received: Float64Array;
  private readonly deleted: Float64Array;
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.at = new Float64Array(capacity);
    this.sent = new Float64Array(capacity);
    this.received = new Float64Array(capacity);
    this.deleted = new Float64Array(capacity);
  }

  add(p: RatePoint): void {
    const i = this.next;
    this.at[i] = p.at;
    this.sent[i] = p.sent;
    this.received[i] = p.received;
    this.deleted[i] = p.deleted;
    this.next = (i + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** When the newest point was taken (0: none yet). */
  get newest(): number {
    return this.size === 0 ? 0 : this.at[(this.next - 1 + this.capacity) % this.capacity]!;
  }

  /** The points taken since `since` (ms), oldest first, as columns (what the chart draws). */
  columns(since = 0): { at: number[]; sent: number[]; received: number[]; deleted: number[] } {
    const out = { at: [] as number[], sent: [] as number[], received: [] as number[], deleted: [] as number[] };
    for (let k = 0; k < this.size; k++) {
      const i = (this.next - this.size + k + this.capacity) % this.capacity;
      if (this.at[i]! < since) continue;
      out.at.push(this.at[i]!);
      out.sent.push(this.sent[i]!);
      out.received.push(this.received[i]!);
      out.deleted.push(this.deleted[i]!);
    }
    return out;
  }
}
