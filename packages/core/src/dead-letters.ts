// Dead letters, as the engine sees them. A receive (receive-9.lua) moves a message that was
// delivered maxReceives times to where dead letters go; which keys those are is decided here:
// - one Redis: the dead-letter queue itself, whose name the engine must know before the script runs
//   (it names the keys). The names are cached per queue; when the script finds another name
//   configured it answers REDIRECT with that name, and the receive runs again with its keys.
// - Redis Cluster: this queue's outbox (same slot), and afterwards the hand-off to the dead-letter
//   queue in its own slot (handOff): read, adopt there (idempotent), then forget here.
// Redrive sends dead letters back the same way, on one Redis too: redrive-6.lua moves them to the
// dead-letter queue's outbox, each with its route (target queue, id to keep and its deliveries so
// far, so that its receipts keep counting up: fencing), and handOff adopts each in its target.
import type { Connection } from "./connection.js";
import { TinyQSError } from "./errors.js";
import { outboxTarget, scriptKeys, type KeySpace, type QueueKeys } from "./keys.js";
import { DEFAULTS } from "./defaults.js";
import { LUA_CODES } from "./lua-codes.js";
import { withoutBase, withoutOrigin } from "./message-attributes.js";
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
  /** The hand-off of each queue's outbox running now (one per queue at a time; the next waits for it). */
  private readonly handing = new Map<string, Promise<number>>();

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
        // Left in the outbox on failure; the next receive on this queue that sees it tries again.
        if (conn.isCluster && Number(reply[1]) > 0 && !this.handing.has(queue)) this.handOff(queue).catch(() => {});
        return reply;
      }
      if (tries > 0) throw new TinyQSError("INTERNAL", `dead-letter queue of ${queue} keeps changing`);
      this.names.set(queue, String(reply[1]));
    }
  }

  /**
   * Hand a queue's outbox over (after any hand-off of it still running): dead letters to its
   * dead-letter queue, redriven letters to their targets. Each page is read, adopted in each target
   * (idempotent), then forgotten here. Resolves with how many redriven letters the targets took in.
   */
  handOff(queue: string): Promise<number> {
    const before = this.handing.get(queue);
    const run = (before ? before.catch(() => 0) : Promise.resolve(0)).then(() => this.drainOutbox(queue));
    this.handing.set(queue, run);
    const forget = () => {
      if (this.handing.get(queue) === run) this.handing.delete(queue);
    };
    run.then(forget, forget);
    return run;
  }

  private async drainOutbox(queue: string): Promise<number> {
    if (this.ctx.isClosed()) return 0;
    const { conn } = this.ctx;
    const src = this.ctx.keys.queue(queue);
    let redriven = 0;
    let deadLetterQueue: string | undefined;
    for (;;) {
      const ids = await conn.call(() => conn.client.lrange(src.outbox, 0, DRAIN_PAGE - 1));
      if (ids.length === 0) return redriven;
      const [bodies, routes] = await Promise.all([
        conn.call(() => conn.client.hmgetBuffer(src.outboxBodies, ...ids)),
        conn.call(() => conn.client.hmget(src.outboxRoutes, ...ids)),
      ]);
      // Per target queue: outbox id, entry to keep ("<id>.<n>" or "<id>"; "": a new id), body. A
      // redriven letter leaves its origin frame here, and a base frame from an earlier redrive (adopt writes the new one).
      const byTarget = new Map<string, { target: string; redrive: boolean; triples: Array<string | Buffer> }>();
      for (const [i, id] of ids.entries()) {
        const body = bodies[i];
        if (!body) continue;
        const route = routes[i];
        let target: string, keep: string, value: Buffer;
        if (route) {
          const slash = route.lastIndexOf("/");
          [target, keep, value] = [route.slice(0, slash), route.slice(slash + 1), withoutBase(withoutOrigin(body).stored).stored];
        } else {
          deadLetterQueue ??= (await this.ctx.getConfig(queue)).deadLetterQueue;
          [target, keep, value] = [deadLetterQueue, "", body];
        }
        const redrive = Boolean(route);
        const groupKey = `${redrive ? "redrive" : "dead"}/${target}`;
        let group = byTarget.get(groupKey);
        if (!group) byTarget.set(groupKey, (group = { target, redrive, triples: [] }));
        group.triples.push(id, keep, value);
      }
      for (const { target, redrive, triples } of byTarget.values()) {
        const dst = this.ctx.keys.queue(target);
        await this.ctx.register(target);
        const taken = Number(await conn.run("adopt", scriptKeys.adopt(dst), [dst.wake, queue, ...triples]));
        if (redrive) redriven += taken;
      }
      await conn.run("unqueue-outbox", scriptKeys["unqueue-outbox"](src), ids);
    }
  }
}
