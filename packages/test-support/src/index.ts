// @tinyqs/test-support: what the tests of several packages share, in one place instead of one
// package's test folder imported by relative path. The launchers alone (for scripts that must not
// load vitest) are "@tinyqs/test-support/redis-server"; the globalSetup, the `pnpm start` launcher
// and the worker suite have subpaths of their own (see package.json "exports").
export type { RedisTargets } from "./context.js";
export { makeTestCerts, type CertFiles, type TestCerts } from "./certs.js";
export { freePort, releasePort } from "./ports.js";
export { startTlsRedis } from "./tls-redis.js";
export { binSecurityFixture, operatorUsersFile, removeUser, writeUsersFile, type TestUser } from "./users-file.js";
export { RedisCluster, RedisServer, rawCommand, sleep, type RedisClusterOptions, type RedisServerOptions } from "./redis-server.js";
export { fillMemory, freeMemory, keepMemoryFull } from "./fill-memory.js";
export { deadLettered, deadLetteredWithReceipts, expectStaleReceipt } from "./dead-letters.js";
export { runOneSlowHandler, type SlowHandlerRun } from "./slow-handler.js";
export { proxy, type Proxy, type Shaping } from "./proxy.js";
export { SOURCE_BIN, spawnBin, type SpawnBinOptions, type SpawnedBin } from "./spawn-bin.js";
export { metric, parseMetrics, type Sample } from "./metrics.js";
export {
  KEY_KINDS,
  WAKE_MS,
  adminFor,
  eventually,
  expectCode,
  keySlot,
  queueKeys,
  scanKeys,
  slotThird,
  spreadQueue,
  timed,
  traces,
  uniqueQueue,
  type Admin,
} from "./util.js";
