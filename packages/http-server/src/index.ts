export { createHttpServer, type HttpServerOptions, type TinyQSHttpServer } from "./server.js";
export { DEFAULTS } from "./defaults.js";
export { OPENAPI } from "./openapi.js";
export { WS_PATH } from "@tinyqs/core/wire";
