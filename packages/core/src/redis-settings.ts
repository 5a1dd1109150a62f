// The Redis settings tinyqs depends on, checked once per engine before its first command (and by the
// servers before they listen). An evicting maxmemory-policy deletes keys when Redis is full: message
// bodies, entries, leases, silently; that is refused (MISCONFIGURED) unless the caller accepts it
// (allowEviction). `appendonly no` keeps acknowledged sends in memory only: said as a warning, since
// a cache-like queue may be what the user wants. A Redis that refuses CONFIG GET (managed services
// often do) is not checked: a warning says so, and the engine goes on.
import { Cluster, ReplyError } from "ioredis";
import type { RedisClient } from "./connection.js";
import { TinyQSError } from "./errors.js";

export interface RedisSettingsOptions {
  /** Accept an evicting maxmemory-policy (messages may be lost when Redis is full). */
  allowEviction: boolean;
  /** Hears each warning, one sentence each. */
  warn: (message: string) => void;
}

/** Each master of a Cluster, or the one Redis. */
function nodesOf(client: RedisClient): RedisClient[] {
  return client instanceof Cluster ? client.nodes("master") : [client];
}

function where(node: RedisClient): string {
  const o = node.options as { host?: string; port?: number };
  return `${o.host ?? "127.0.0.1"}:${o.port ?? 6379}`;
}

/** CONFIG GET of one setting: its value, or null when Redis refuses the command. */
async function configGet(node: RedisClient, name: string): Promise<string | null> {
  try {
    const reply = (await node.call("CONFIG", "GET", name)) as string[];
    return reply[1] ?? null;
  } catch (e) {
    if (e instanceof ReplyError) return null;
    throw e; // not reachable: the caller's command fails the same way
  }
}

/** Throws MISCONFIGURED for an evicting policy (unless allowed); warns of the rest. */
export async function checkRedisSettings(client: RedisClient, options: RedisSettingsOptions): Promise<void> {
  for (const node of nodesOf(client)) {
    const at = where(node);
    const policy = await configGet(node, "maxmemory-policy");
    const appendonly = policy === null ? null : await configGet(node, "appendonly");
    if (policy === null || appendonly === null) {
      options.warn(`Redis at ${at} refused CONFIG GET, so its maxmemory-policy and appendonly were not checked: make sure the policy is noeviction (an evicting one loses messages when Redis is full) and appendonly is yes`);
      continue;
    }
    if (policy !== "noeviction") {
      const why = `Redis at ${at} has maxmemory-policy ${policy}: when full it evicts keys, and so loses messages`;
      if (!options.allowEviction) {
        throw new TinyQSError(
          "MISCONFIGURED",
          `${why}. Set it to noeviction (CONFIG SET maxmemory-policy noeviction, and in redis.conf), or accept the loss with --allow-eviction (engine option allowEviction: true)`,
        );
      }
      options.warn(`${why} (allowed by --allow-eviction)`);
    }
    if (appendonly !== "yes") {
      options.warn(`Redis at ${at} has appendonly no: acknowledged sends are in memory only and are lost if Redis stops; for durable sends use appendonly yes with appendfsync always`);
    }
  }
}
