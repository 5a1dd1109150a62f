// @tinyqs/core/cli: the kit the entry points (tinyqs-tcp, tinyqs-http, `pnpm start`) are built
// from, so that each is a table and a main, not a parser of its own: flags and environment through
// node:util parseArgs with "flag beats variable beats default" and --help from one table, the
// shared variable names, one port reader, one redactUrl, one stop-signal handler, and the shared
// defaults (host, ports, Redis). A subpath of core because all three depend on core and nothing
// else; it loads no Redis client, so --help answers at once.
export { readCommandLine, warnOnStderr } from "./answer.js";
export { DEPRECATED_ENV, ENV } from "./names.js";
export { parseCommandLine } from "./parse.js";
export { redactUrl } from "./redact.js";
export { allowEvictionSetting, durabilitySettings, redisRefusal, type DurabilityFlags } from "./redis-settings.js";
export { securitySettings, tlsFilesOf, type SecurityFlags } from "./security-settings.js";
export { closeOnStopSignals, onReloadSignal, onStopSignals, type StopSignalOptions } from "./signals.js";
export { usage, type CliRequest, type CliSetting, type CliSpec } from "./spec.js";
export { boundSettings } from "./bounds.js";
export { CliError, CliValue, DEFAULT_WORDING, type CliWording } from "./value.js";
export { DEFAULTS } from "../defaults.js";
