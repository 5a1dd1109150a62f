// What the REST routes and the WebSocket sessions share: the (instrumented) engine, the server's
// limits, and the long waits that shutdown must end.
import type { TinyQSApi } from "@tinyqs/core";
import type { BodyBounds } from "./body.js";

export interface Limits {
  /** Largest message body this server reads (raw send, and each message of a batch). */
  maxMessageBytes: number;
  /** Longest long poll a request may ask for. */
  maxWaitMs: number;
  /** Largest JSON request body: one message at its largest, base64-encoded, plus framing. */
  maxJsonBytes: number;
  /** The byte budget and the minimum rate a body is read under. */
  bodies: BodyBounds;
}

/** Long polls and subscriptions in progress: shutdown aborts them so they answer at once. */
class Waits {
  readonly all = new Set<AbortController>();
  closing = false;
}

export class Context {
  constructor(
    readonly api: TinyQSApi,
    readonly limits: Limits,
    private readonly waits = new Waits(),
  ) {}

  /**
   * The same limits and waits (shutdown ends them all) over another API: the WebSocket's and the
   * dashboard page's operations are counted under their own path (metrics.ts), apart from REST's.
   */
  withApi(api: TinyQSApi): Context {
    return new Context(api, this.limits, this.waits);
  }

  /** An AbortController that shutdown aborts too; call `done()` when the wait is over. */
  track(): { signal: AbortSignal; abort: () => void; done: () => void } {
    const ac = new AbortController();
    if (this.waits.closing) ac.abort();
    this.waits.all.add(ac);
    return { signal: ac.signal, abort: () => ac.abort(), done: () => this.waits.all.delete(ac) };
  }

  get isClosing(): boolean {
    return this.waits.closing;
  }

  /** Shutdown: every wait in progress ends now (a long poll answers "nothing came"). */
  abortAll(): void {
    this.waits.closing = true;
    for (const ac of this.waits.all) ac.abort();
    this.waits.all.clear();
  }
}
