// One WebSocket connection: its subscriptions, and one reply for each request. When the socket
// closes, for whatever reason, every message pushed to it and not yet deleted or released goes back
// to ready at once (released), instead of waiting for its lease to run out.
import type { WebSocket } from "ws";
import { isTinyQSError, TinyQSError, type Message } from "@tinyqs/core";
import { corkForTick, errorFrame, failureFrame, itemResults, messageFrame, replyFrame } from "@tinyqs/core/wire";
import { can, type Access, type Permission, type Principal } from "@tinyqs/core/security";
import type { Context } from "../context.js";
import { forbidden } from "../permissions.js";
import { FrameError, parseRequest, type Request } from "./protocol.js";
import { sendGrouped } from "../send-batch.js";
import { Subscription, type SubscriptionHost } from "./subscription.js";

export interface SessionOptions {
  maxPrefetch: number;
  pollMs: number;
  /** Who opened the socket; each request is checked against its grants as they are at that moment. */
  user: Principal;
  access: Access;
}

/** The grant each op needs on its queue (--users): sending, or receiving and settling deliveries. */
const OP_GRANTS: Record<Request["op"], Permission> = {
  send: "send",
  sendBatch: "send",
  subscribe: "receive",
  unsubscribe: "receive",
  delete: "receive",
  touch: "receive",
  release: "receive",
  deleteBatch: "receive",
  touchBatch: "receive",
};

export class Session implements SubscriptionHost {
  private readonly subs = new Map<string, Subscription>();
  private closing: Promise<void> | null = null;
  readonly pollMs: number;

  constructor(
    readonly ctx: Context,
    private readonly socket: WebSocket,
    private readonly options: SessionOptions,
  ) {
    this.pollMs = options.pollMs;
    socket.on("message", (data, isBinary) => {
      if (isBinary) {
        this.sendFrame(errorFrame(new TinyQSError("BAD_ARGUMENT", "frames are JSON text; bodies go in base64 inside them")));
        return;
      }
      void this.handle(data.toString());
    });
  }

  push(m: Message): boolean {
    return this.sendFrame(messageFrame(m));
  }

  failed(queue: string, err: TinyQSError): void {
    this.sendFrame(errorFrame(err, { queue }));
  }

  /** Why this socket must close after a reload of the users (user removed, or a subscription no longer allowed); null if it may go on. */
  revoked(): string | null {
    const { user, access } = this.options;
    if (!access.isCurrent(user)) return "the user was removed or its password changed";
    for (const [queue, sub] of this.subs) {
      if (sub.isActive && !can(user, "receive", queue)) return `the user may no longer receive from ${queue}`;
    }
    return null;
  }

  /** Stop every subscription and put back what this socket held. Idempotent. */
  close(): Promise<void> {
    return (this.closing ??= Promise.all([...this.subs.values()].map((s) => s.releaseAll())).then(() => {
      this.subs.clear();
    }));
  }

  private sendFrame(frame: object): boolean {
    if (this.socket.readyState !== this.socket.OPEN || this.closing) return false;
    corkForTick(this.socket); // the frames of this tick leave in one write
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private async handle(text: string): Promise<void> {
    let request: Request;
    try {
      request = parseRequest(text, this.options.maxPrefetch);
    } catch (e) {
      const fe = e as FrameError;
      this.sendFrame(fe.requestId === null ? errorFrame(fe.error) : failureFrame(fe.requestId, fe.error));
      return;
    }
    try {
      this.sendFrame(replyFrame(request.requestId, await this.perform(request)));
    } catch (err) {
      const e = isTinyQSError(err) ? err : new TinyQSError("INTERNAL", String(err));
      this.sendFrame(failureFrame(request.requestId, e));
    }
  }

  private async perform(r: Request): Promise<Record<string, unknown>> {
    const { api, limits } = this.ctx;
    const { user, access } = this.options;
    if (!access.isCurrent(user)) throw new TinyQSError("UNAUTHORIZED", "the user was removed or its password changed");
    if (!can(user, OP_GRANTS[r.op], r.queue)) throw forbidden(user, OP_GRANTS[r.op], r.queue);
    switch (r.op) {
      case "subscribe": {
        // A frame that arrives while the socket is closing (a close handshake in progress) starts nothing.
        if (this.closing) throw new TinyQSError("CLOSED", "this socket is closing");
        let sub = this.subs.get(r.queue);
        if (sub?.isActive) throw new TinyQSError("BAD_ARGUMENT", `already subscribed to ${r.queue} on this socket`);
        if (!sub) this.subs.set(r.queue, (sub = new Subscription(this, r.queue)));
        const visibilityMs = await sub.start(r.prefetch, r.visibilityMs);
        return { queue: r.queue, prefetch: r.prefetch, visibilityMs };
      }
      case "unsubscribe": {
        const sub = this.subs.get(r.queue);
        if (!sub?.isActive) throw new TinyQSError("BAD_ARGUMENT", `not subscribed to ${r.queue} on this socket`);
        await sub.stop();
        return { queue: r.queue, held: sub.heldCount };
      }
      case "send": {
        if (r.body.length > limits.maxMessageBytes) {
          throw new TinyQSError("TOO_BIG", `the body is ${r.body.length} bytes; this server accepts at most ${limits.maxMessageBytes}`);
        }
        return { id: await api.send(r.queue, r.body, { delayMs: r.delayMs, dedupId: r.dedupId }) };
      }
      case "sendBatch": {
        // Whole or nothing, as REST's batch send: one body over the limit refuses the batch.
        const i = r.messages.findIndex((m) => m.body.length > limits.maxMessageBytes);
        if (i >= 0) {
          throw new TinyQSError("TOO_BIG", `messages[${i}] is ${r.messages[i]!.body.length} bytes; this server accepts at most ${limits.maxMessageBytes}`);
        }
        return { ids: await sendGrouped(this.ctx, r.queue, r.messages) };
      }
      case "delete":
        return this.settle(r.queue, r.receipt, await api.delete(r.queue, r.receipt));
      case "release":
        return this.settle(r.queue, r.receipt, await api.release(r.queue, r.receipt, { delayMs: r.delayMs }));
      case "touch": {
        const ok = await api.touch(r.queue, r.receipt, { visibilityMs: r.visibilityMs });
        if (ok) this.subs.get(r.queue)?.touched(r.receipt, r.visibilityMs);
        return this.settle(r.queue, r.receipt, ok, ok);
      }
      case "deleteBatch": {
        const done = await api.deleteBatch(r.queue, r.receipts);
        r.receipts.forEach((receipt) => typeof receipt === "string" && this.subs.get(r.queue)?.settled(receipt));
        return { results: itemResults(r.receipts, done) };
      }
      case "touchBatch": {
        const done = await api.touchBatch(r.queue, r.receipts, { visibilityMs: r.visibilityMs });
        const sub = this.subs.get(r.queue);
        r.receipts.forEach((receipt, i) => {
          if (typeof receipt !== "string") return;
          if (done[i]) sub?.touched(receipt, r.visibilityMs);
          else sub?.settled(receipt);
        });
        return { results: itemResults(r.receipts, done) };
      }
    }
  }

  /** The delivery is over for this socket (or was already): free its prefetch slot; false → NOT_FOUND. */
  private settle(queue: string, receiptOrId: string, ok: boolean, keep = false): Record<string, unknown> {
    if (!keep) this.subs.get(queue)?.settled(receiptOrId);
    if (!ok) throw new TinyQSError("NOT_FOUND");
    return {};
  }
}
