export { createSqsServer, type SqsServerOptions, type TinyQSSqsServer } from "./server.js";
export { SQS_DEFAULTS } from "./defaults.js";
export { SQS_ERRORS, type SqsErrorName } from "./errors.js";
export type { SqsEngine } from "./context.js";
