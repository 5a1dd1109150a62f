// @tinyqs/tcp-server: the tinyqs engine on a TCP port, speaking RESP2 (the Redis protocol).
export { createTcpServer, type TcpServer, type TcpServerOptions } from "./server.js";
export { DEFAULTS, VERSION } from "./defaults.js";
export { COMMANDS, type CommandSpec } from "./commands/index.js";
export { RespParser, splitInline, type ParserLimits, type ParserSink } from "./resp/parser.js";
