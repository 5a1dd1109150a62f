export { TinyQS, type TinyQSOptions } from "./engine.js";
export {
  CONFIG_FIELDS,
  CONFIG_SETTINGS,
  checkBodies,
  checkConfigChanges,
  checkDelayMs,
  checkIdOrReceipt,
  checkMax,
  checkReceipt,
  checkReplyTimeoutMs,
  checkVisibilityMs,
  checkWaitMs,
} from "./arguments.js";
export { TinyQSError, ERRORS, isTinyQSError, type ErrorCode } from "./errors.js";
export { KeySpace, type QueueKeys } from "./keys.js";
export { LIMITS, QUEUE_NAME, checkInt, checkQueueName, toBuffer } from "./limits.js";
export { parseReplyHandle, replyHandle, replyTimedOut, requestAbandoned } from "./reply-handle.js";
export type { RedisInput } from "./connection.js";
export type * from "./types.js";
export {
  createWorker,
  retryDelay,
  WORKER_DEFAULTS,
  type Worker,
  type WorkerOptions,
  type Handler,
  type HandlerContext,
  type WorkerErrorInfo,
  type WorkerStage,
} from "./worker.js";
