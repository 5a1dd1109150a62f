// What the global setup (global-redis.ts) hands every test through vitest's inject(): the addresses
// of the private Redis and Redis Cluster. Declared once here so that `inject("redisUrl")` is typed in
// every package that imports @tinyqs/test-support (index.ts re-exports the type, which brings this
// augmentation into the test programs).
declare module "vitest" {
  interface ProvidedContext extends RedisTargets {}
}

export interface RedisTargets {
  /** redis://127.0.0.1:<port> of the private single Redis. */
  redisUrl: string;
  /** "127.0.0.1:<port>" of each master of the private Redis Cluster. */
  clusterNodes: string[];
}
