// What a front end that has queues as things of their own (the SQS port: CreateQueue, DeleteQueue,
// queue attributes and timestamps, ApproximateFirstReceiveTimestamp) keeps beside a queue, and the
// two queue-level acts the TinyQSApi does not have: asking whether a queue exists, and deleting one
// whole. tinyqs itself needs none of it (a queue exists once used); the engine offers it to servers.
import type { Connection } from "./connection.js";
import { allKeysOf, scriptKeys, type KeySpace, type QueueKeys } from "./keys.js";

export class QueueRecords {
  constructor(
    private readonly conn: Connection,
    private readonly keys: KeySpace,
  ) {}

  /** Whether the queue is in the registry (used, configured or created, and not deleted since). */
  async exists(queue: string): Promise<boolean> {
    return (await this.conn.call(() => this.conn.client.sismember(this.keys.registry, queue))) === 1;
  }

  /**
   * Every key of the queue (messages, settings, counters, records) and its registry entry. One
   * UNLINK: the keys share the queue's hash tag, so one slot on Redis Cluster too, and the queue is
   * gone at once for every reader. UNLINK (unlike DEL) frees a value of more than a few dozen
   * elements in Redis's background thread, so deleting a million messages blocks Redis for about as
   * long as deleting ten (docs/operations.md has the measurement).
   */
  async drop(queue: string, keys: QueueKeys): Promise<void> {
    await this.conn.call(() => this.conn.client.unlink(...allKeysOf(keys)));
    await this.conn.call(() => this.conn.client.srem(this.keys.registry, queue));
  }

  async meta(keys: QueueKeys): Promise<Record<string, string>> {
    return this.conn.call(() => this.conn.client.hgetall(keys.meta));
  }

  /** Set fields; with `onlyNew`, only those not set yet (HSETNX: a creation time written once). */
  async setMeta(keys: QueueKeys, fields: Record<string, string>, onlyNew = false): Promise<void> {
    const entries = Object.entries(fields);
    if (entries.length === 0) return;
    if (!onlyNew) {
      await this.conn.call(() => this.conn.client.hset(keys.meta, ...entries.flat()));
      return;
    }
    for (const [field, value] of entries) await this.conn.call(() => this.conn.client.hsetnx(keys.meta, field, value));
  }

  async deleteMeta(keys: QueueKeys, fields: string[]): Promise<void> {
    if (fields.length > 0) await this.conn.call(() => this.conn.client.hdel(keys.meta, ...fields));
  }

  /** For each id, when it was first received (noted now for an id not seen before). */
  async firstReceived(keys: QueueKeys, ids: string[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const r = (await this.conn.run("first-receive", scriptKeys["first-receive"](keys), ids)) as string[];
    return r.map(Number);
  }

  /** Forget the first-receive times of messages that are gone. */
  async forgetFirstReceived(keys: QueueKeys, ids: string[]): Promise<void> {
    if (ids.length > 0) await this.conn.call(() => this.conn.client.hdel(keys.firstReceived, ...ids));
  }

  /** Forget all of a queue's first-receive times (after a purge). */
  async forgetAllFirstReceived(keys: QueueKeys): Promise<void> {
    await this.conn.call(() => this.conn.client.del(keys.firstReceived));
  }
}
