export { TinyQS, type TinyQSOptions } from "./engine.js";
export {
  BROWSE_STATES,
  CONFIG_FIELDS,
  CONFIG_SETTINGS,
  checkBodies,
  checkBrowseOptions,
  checkConfigChanges,
  checkDedupId,
  checkDedupIds,
  DEDUP_ID,
  checkDelayMs,
  checkIdOrReceipt,
  checkMax,
  checkReceipt,
  checkRefs,
  checkReplyTimeoutMs,
  checkVisibilityMs,
  checkWaitMs,
  checkWorkerOptions,
  LIMITS,
  OPTION_RANGES,
  QUEUE_NAME,
  checkInt,
  checkQueueName,
  checkRedriveOptions,
  isRef,
  toBuffer,
} from "./arguments.js";
export { BOUNDS_DEFAULTS, DEFAULTS, WORKER_DEFAULTS } from "./defaults.js";
export { AddressLimit, AuthGate, BOUND_RANGES, ByteBudget, SLOW_READER_PROGRESS_BYTES, checkBounds, type AuthTicket, type BoundOptions, type Bounds, type BudgetHolder } from "./bounds.js";
export { backoff, sleep } from "./timing.js";
export { TinyQSError, ERRORS, isTinyQSError, type ErrorCode } from "./errors.js";
export { KeySpace, type QueueKeys } from "./keys.js";
export { parseReplyHandle, replyHandle, replyTimedOut, requestAbandoned } from "./reply-handle.js";
export type { RedisInput } from "./connection.js";
export type { DurabilityOptions } from "./durability.js";
export type * from "./types.js";
export {
  createWorker,
  retryDelay,
  type Worker,
  type WorkerOptions,
  type Handler,
  type HandlerContext,
  type WorkerErrorInfo,
  type WorkerStage,
} from "./worker.js";
