// Idempotent sends on the client side (issue 11 item 3). A send that carries a dedupId can be sent
// again safely: the server stores it once and answers the first message's id. So when such a send
// fails with UNAVAILABLE (the connection dropped before the reply, the server or its Redis was away:
// the outcome unknown), it is sent again, with a short backoff, until the client's timeoutMs since
// the first try has passed. With `retrySends: true` every send gets a dedupId of its own (a random
// UUID) when the caller gave none, so every send is retried that way and a retried send is never
// stored twice. A send without a dedupId is never retried: a second copy could be stored.
import { randomUUID } from "node:crypto";
import { TinyQSError, backoff, checkDedupId, checkDedupIds, sleep, type SendBatchOptions, type SendOptions } from "@tinyqs/core";

/** First pause before a retry; it doubles up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 50;
const RETRY_MAX_MS = 1000;

export class SendRetries {
  constructor(
    /** Give every send a dedupId (connect's retrySends). */
    private readonly always: boolean,
    /** How long, from the first try, a send is tried again (the client's timeoutMs). */
    private readonly timeoutMs: number,
  ) {}

  /** The dedupId a send goes with: the caller's (checked), else a new one when retrySends is on. */
  dedupIdOf(options: SendOptions | undefined): string | undefined {
    return checkDedupId(options?.dedupId) ?? (this.always ? randomUUID() : undefined);
  }

  /** sendBatch's dedupIds: the caller's (checked), a new one for each item without when retrySends is on. */
  dedupIdsOf(options: SendBatchOptions | undefined, count: number): Array<string | undefined> | undefined {
    const given = checkDedupIds(options?.dedupIds, count);
    if (!this.always) return given;
    return Array.from({ length: count }, (_, i) => given?.[i] ?? randomUUID());
  }

  /** Run `send`; when it carries dedup ids and fails with UNAVAILABLE, run it again (bounded). */
  async run<T>(deduplicated: boolean, send: () => Promise<T>): Promise<T> {
    if (!deduplicated) return send();
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (e) {
        const retriable = e instanceof TinyQSError && e.code === "UNAVAILABLE";
        if (!retriable || Date.now() - started >= this.timeoutMs) throw e;
        await sleep(Math.min(backoff(attempt, RETRY_FIRST_MS, RETRY_MAX_MS), Math.max(1, this.timeoutMs - (Date.now() - started))));
      }
    }
  }
}
