// What every entry point does about Redis's settings (the engine checks them: ../redis-settings.ts):
// the one --allow-eviction switch, and the check before listening, so that a Redis that would lose
// messages stops the start with its reason instead of failing every request.
import { ENV } from "./names.js";
import type { CliSetting } from "./spec.js";

/** `--allow-eviction` / TINYQS_ALLOW_EVICTION, the same in tinyqs-tcp, tinyqs-http and `pnpm start`. */
export function allowEvictionSetting<C>(set: (config: C, allow: boolean) => void): CliSetting<C> {
  return {
    flag: "--allow-eviction", env: ENV.allowEviction, arg: "", switch: true,
    help: "serve a Redis whose maxmemory-policy evicts keys (it loses messages\nwhen full); without it such a Redis stops the start (variable: 1 or 0)",
    set: (c, v) => set(c, v.yes()),
  };
}

/** What --durability-replicas and --durability-timeout-ms set: the engine's `durability` option. */
export interface DurabilityFlags {
  replicas: number;
  timeoutMs?: number;
}

/**
 * `--durability-replicas N` and `--durability-timeout-ms MS`, the same in tinyqs-tcp, tinyqs-http
 * and `pnpm start`: `get(config)` is the config's durability, created on first use.
 */
export function durabilitySettings<C>(get: (config: C) => DurabilityFlags): Array<CliSetting<C>> {
  return [
    {
      flag: "--durability-replicas", env: ENV.durabilityReplicas, arg: "N",
      help: "each write resolves once N replicas have it (Redis WAIT), 0-100 (default 0:\ndo not wait); fewer in time: UNAVAILABLE (the write may exist)",
      set: (c, v) => void (get(c).replicas = v.integer(0, 100)),
    },
    {
      flag: "--durability-timeout-ms", env: ENV.durabilityTimeoutMs, arg: "MS",
      help: "how long a write waits for those replicas (default 1000; below\n--redis-timeout-ms)",
      set: (c, v) => void (get(c).timeoutMs = v.integer(1, 600_000)),
    },
  ];
}

/** How long the start waits for Redis to answer the check; a Redis still down is checked by the engine later. */
const START_CHECK_MS = 1000;

/**
 * Before listening: null when the start may go on (the settings are fit, or Redis does not answer
 * yet: the engine then checks before its first command), else why it must not (MISCONFIGURED).
 */
export async function redisRefusal(engine: object): Promise<string | null> {
  // The engine's checkRedis(); a server given some other TinyQSApi (a client, say) has none to check.
  const checkRedis = (engine as { checkRedis?: () => Promise<void> }).checkRedis;
  if (typeof checkRedis !== "function") return null;
  let timer: NodeJS.Timeout | undefined;
  const check = checkRedis.call(engine).then(
    () => null,
    (e: { code?: string; message?: string }) => (e.code === "MISCONFIGURED" ? (e.message ?? "MISCONFIGURED") : null),
  );
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), START_CHECK_MS)));
  try {
    return await Promise.race([check, late]);
  } finally {
    clearTimeout(timer);
  }
}
