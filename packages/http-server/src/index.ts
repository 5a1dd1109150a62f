export { createHttpServer, type HttpServerOptions, type TinyQSHttpServer } from "./server.js";
export { DEFAULTS } from "./defaults.js";
export { OPENAPI } from "./openapi.js";
export { WS_PATH } from "@tinyqs/core/wire";
export { createSqsServer, SQS_DEFAULTS, SQS_ERRORS, type SqsServerOptions, type TinyQSSqsServer, type SqsEngine, type SqsErrorName } from "./sqs/index.js";
export { Metrics, type OperationPath } from "./metrics.js";
export { UI_MODES, type UiMode } from "./ui/mode.js";
