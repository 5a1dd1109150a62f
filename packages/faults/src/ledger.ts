// The accounting of one scenario: every send attempted, acknowledged or failed, every delivery and
// every delete, per sequence-numbered body ("<channel>-<seq>"), and every call's duration. From it
// the verdict: what was acknowledged and never delivered (lost), what was delivered more often than
// lease semantics allow (duplicated), a reply matched to the wrong call (mismatched), calls that
// outlived their bound (hung).
//
// Lease semantics, i.e. what is NOT a duplicate: a message delivered again, with a higher receive
// count, after the delivery before it was not deleted — its lease ran out, its worker died, its
// WebSocket dropped, or its delete failed. A duplicate is: one body stored twice (two message ids;
// the harness never resends), a delivery after a delete that said "deleted", or the same delivery
// (receive count) handed out twice.
import { isTinyQSError } from "@tinyqs/core";

export interface Delivery {
  id: string;
  receipt: string;
  receiveCount: number;
  body: string;
}

interface SeqState {
  /** The id the send was acknowledged with; null while pending or when it failed. */
  ackedId: string | null;
  failedCode: string | null;
  deliveries: Array<Delivery & { by: string }>;
}

export interface Tally {
  attempted: number;
  acked: number;
  failed: number;
  /** Failed sends (reply lost, outcome unknown) whose message was stored all the same and delivered. */
  failedDelivered: number;
  lost: number;
  duplicated: number;
  /** Deliveries after an undeleted one (lease ran out, worker died): at-least-once, not duplicates. */
  redelivered: number;
  /** An acknowledged send whose id is not the id its body was delivered with. */
  mismatched: number;
  /** Calls that took longer than their bound, or never ended. */
  hung: number;
  /** The longest a failed call took. */
  maxFailMs: number;
  /** The longest an acknowledged send took (shows a slow path's effect). */
  maxSendMs: number;
  /** Failed calls by error code ("UNAVAILABLE": 12, …). */
  errors: Record<string, number>;
  /** What was lost, duplicated or mismatched, for the failure message (the first few). */
  findings: string[];
}

export class Ledger {
  private readonly seqs = new Map<string, SeqState>();
  /** Receipt → "deleted" (true) or not (false); the last word counts (a worker reports a failed delete after the fact). */
  private readonly deletes = new Map<string, boolean>();
  private readonly failMs: number[] = [];
  private maxSendMs = 0;
  private readonly errorSamples = new Map<string, string[]>();
  private readonly errorCounts: Record<string, number> = {};
  private readonly channelCodes = new Set<string>();
  private hungCalls = 0;
  private readonly pending = new Set<{ bound: number; start: number }>();
  /** Per channel: when it last had a send acknowledged / a delivery (for "recovered"). */
  readonly lastAck = new Map<string, number>();
  readonly lastDelivery = new Map<string, number>();

  attempt(body: string): void {
    this.seqs.set(body, { ackedId: null, failedCode: null, deliveries: [] });
  }

  acked(channel: string, body: string, id: string, ms: number): void {
    this.seqs.get(body)!.ackedId = id;
    this.maxSendMs = Math.max(this.maxSendMs, ms);
    this.lastAck.set(channel, Date.now());
  }

  sendFailed(body: string, error: unknown): void {
    this.seqs.get(body)!.failedCode = codeOf(error);
  }

  delivered(by: string, d: Delivery): void {
    const s = this.seqs.get(d.body);
    if (!s) throw new Error(`a delivery of a body never sent: ${JSON.stringify(d.body)} (id ${d.id})`);
    s.deliveries.push({ ...d, by });
    this.lastDelivery.set(channelOf(d.body), Date.now());
  }

  deleted(receipt: string, ok: boolean): void {
    this.deletes.set(receipt, ok);
  }

  /** Time a call of `channel` against its bound; a failure counts its code and duration. Rethrows. */
  async call<T>(channel: string, boundMs: number, fn: () => Promise<T>): Promise<T> {
    const entry = { bound: boundMs, start: Date.now() };
    this.pending.add(entry);
    try {
      return await fn();
    } catch (e) {
      const ms = Date.now() - entry.start;
      this.failMs.push(ms);
      const code = codeOf(e);
      this.errorCounts[code] = (this.errorCounts[code] ?? 0) + 1;
      const message = (e as Error).message;
      for (const key of [code, `${channel} ${code}`]) {
        const samples = this.errorSamples.get(key) ?? [];
        if (samples.length < 10 && !samples.includes(message)) samples.push(message);
        this.errorSamples.set(key, samples);
      }
      this.channelCodes.add(`${channel} ${code}`);
      throw e;
    } finally {
      this.pending.delete(entry);
      if (Date.now() - entry.start > boundMs) this.hungCalls++;
    }
  }

  /** Up to ten different messages of the failures with this code (of every channel, or of one: "tcp UNAVAILABLE"). */
  errorMessages(code: string): string[] {
    return this.errorSamples.get(code) ?? [];
  }

  /** The codes a channel's failed calls had. */
  codesOf(channel: string): string[] {
    return [...this.channelCodes].filter((k) => k.startsWith(`${channel} `)).map((k) => k.slice(channel.length + 1)).sort();
  }

  /** Acknowledged sends not yet delivered. */
  undelivered(): number {
    let n = 0;
    for (const s of this.seqs.values()) if (s.ackedId && s.deliveries.length === 0) n++;
    return n;
  }

  tally(): Tally {
    const t: Tally = {
      attempted: this.seqs.size, acked: 0, failed: 0, failedDelivered: 0, lost: 0, duplicated: 0, redelivered: 0, mismatched: 0,
      hung: this.hungCalls, maxFailMs: Math.max(0, ...this.failMs), maxSendMs: this.maxSendMs, errors: { ...this.errorCounts }, findings: [],
    };
    const now = Date.now();
    for (const p of this.pending) if (now - p.start > p.bound) t.hung++; // never came back
    const finding = (what: string, body: string, s: SeqState) => {
      if (t.findings.length < 5) {
        const seen = s.deliveries.map((d) => `${d.by}:${d.id}#${d.receiveCount}${this.deletes.get(d.receipt) ? "(deleted)" : ""}`).join(" ");
        t.findings.push(`${what}: ${body.replace(/\.+$/, "")} acked as ${s.ackedId ?? "-"}, deliveries ${seen || "none"}`);
      }
    };
    for (const [body, s] of this.seqs) {
      if (s.ackedId) t.acked++;
      if (s.failedCode) t.failed++;
      if (s.failedCode && s.deliveries.length > 0) t.failedDelivered++;
      if (s.ackedId && s.deliveries.length === 0) (t.lost++, finding("lost", body, s));
      const ids = new Set(s.deliveries.map((d) => d.id));
      if (ids.size > 1) (t.duplicated += ids.size - 1, finding("stored twice", body, s));
      if (s.ackedId && ids.size > 0 && !ids.has(s.ackedId)) (t.mismatched++, finding("mismatched", body, s));
      // Per id, in the order the deliveries were handed out (receive count; a consumer may see an
      // older one late, e.g. held on a stalled path): each must follow an undeleted one.
      const byCount = [...s.deliveries].sort((a, b) => a.receiveCount - b.receiveCount);
      for (let i = 1; i < byCount.length; i++) {
        const [before, d] = [byCount[i - 1]!, byCount[i]!];
        if (before.id !== d.id) continue; // stored twice: counted above
        if (d.receiveCount === before.receiveCount || this.deletes.get(before.receipt) === true) (t.duplicated++, finding("delivered again", body, s));
        else t.redelivered++;
      }
    }
    return t;
  }
}

export function codeOf(e: unknown): string {
  return isTinyQSError(e) ? e.code : ((e as { code?: string })?.code ?? "ERROR");
}

/** "tcp-17" → "tcp". */
export const channelOf = (body: string) => body.slice(0, body.lastIndexOf("-"));
