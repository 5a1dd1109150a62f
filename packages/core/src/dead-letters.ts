// Dead letters, as the engine sees them. A receive (receive-9.lua) moves a message that was
// delivered maxReceives times to where dead letters go; which keys those are is decided here:
// - one Redis: the dead-letter queue itself, whose name the engine must know before the script runs
//   (it names the keys). The names are cached per queue; when the script finds another name
//   configured it answers REDIRECT with that name, and the receive runs again with its keys.
// - Redis Cluster: this queue's outbox (same slot), and afterwards the hand-off to the dead-letter
//   queue in its own slot (drainOutbox): read, adopt there (idempotent), then forget here.
import type { Connection } from "./connection.js";
import { TinyQSError } from "./errors.js";
import { outboxTarget, scriptKeys, type KeySpace, type QueueKeys } from "./keys.js";
import { DEFAULTS } from "./defaults.js";
import { LUA_CODES } from "./lua-codes.js";
import type { QueueConfig } from "./types.js";

export interface DeadLettersContext {
  conn: Connection;
  keys: KeySpace;
  getConfig(queue: string): Promise<QueueConfig>;
  /** Adds a queue to the registry behind queues() (the dead-letter queue, on hand-off). */
  register(queue: string): Promise<void>;
  isClosed(): boolean;
}

/** Dead letters read from an outbox per round of the hand-off. */
const DRAIN_PAGE = 100;

export class DeadLetters {
  /** Dead-letter queue names learned from configure and from receive redirects (default `<queue>.dead`). */
  private readonly names = new Map<string, string>();
  /** Queues whose outbox is being handed over now (one hand-off per queue at a time). */
  private readonly draining = new Set<string>();

  constructor(private readonly ctx: DeadLettersContext) {}

  /** configure() set the dead-letter queue of `queue`. */
  learn(queue: string, deadLetterQueue: string): void {
    this.names.set(queue, deadLetterQueue);
  }

  /**
   * Runs receive-9.lua (`mode` "receive" with the callers' runs, or "peek"), following its REDIRECT
   * to the configured dead-letter queue; on Cluster, starts the outbox's hand-off when it has some.
   */
  async receive(queue: string, keys: QueueKeys, mode: "receive" | "peek", runs: number[]): Promise<unknown[]> {
    const { conn } = this.ctx;
    for (let tries = 0; ; tries++) {
      // Cluster: dead letters wait in this queue's outbox (same slot), handed over by drainOutbox().
      const deadName = conn.isCluster ? "" : (this.names.get(queue) ?? `${queue}.dead`);
      const target = conn.isCluster ? outboxTarget(keys) : this.ctx.keys.queue(deadName);
      const reply = (await conn.run(
        "receive",
        scriptKeys.receive(keys, target),
        [queue, deadName, DEFAULTS.visibilityMs, mode, this.ctx.keys.queue(deadName).wake, ...runs],
        true,
      )) as unknown[];
      if (Number(reply[0]) !== LUA_CODES.receive.REDIRECT) {
        if (conn.isCluster && Number(reply[1]) > 0) void this.drainOutbox(queue);
        return reply;
      }
      if (tries > 0) throw new TinyQSError("INTERNAL", `dead-letter queue of ${queue} keeps changing`);
      this.names.set(queue, String(reply[1]));
    }
  }

  /**
   * Hand dead letters from a queue's outbox to its dead-letter queue (Redis Cluster only, where the
   * two may live in different slots): read, adopt there (idempotent), then forget here.
   */
  private async drainOutbox(queue: string): Promise<void> {
    if (this.draining.has(queue) || this.ctx.isClosed()) return;
    this.draining.add(queue);
    const { conn } = this.ctx;
    try {
      const src = this.ctx.keys.queue(queue);
      const { deadLetterQueue } = await this.ctx.getConfig(queue);
      const dlq = this.ctx.keys.queue(deadLetterQueue);
      await this.ctx.register(deadLetterQueue);
      for (;;) {
        const ids = await conn.call(() => conn.client.lrange(src.outbox, 0, DRAIN_PAGE - 1));
        if (ids.length === 0) break;
        const bodies = await conn.call(() => conn.client.hmgetBuffer(src.outboxBodies, ...ids));
        const pairs: Array<string | Buffer> = [];
        ids.forEach((id, i) => bodies[i] && pairs.push(id, bodies[i]!));
        if (pairs.length > 0) await conn.run("adopt", scriptKeys.adopt(dlq), [dlq.wake, queue, ...pairs]);
        await conn.run("unqueue-outbox", scriptKeys["unqueue-outbox"](src), ids);
      }
    } catch {
      // Left in the outbox; the next receive on this queue that sees it tries again.
    } finally {
      this.draining.delete(queue);
    }
  }
}
