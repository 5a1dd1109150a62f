// The SQS port's defaults, each with why.
import { DEFAULTS as CORE_DEFAULTS } from "@tinyqs/core";
import { SQS_PORT_DEFAULTS } from "./port-defaults.js";

export const SQS_DEFAULTS = {
  ...SQS_PORT_DEFAULTS,
  /** Loopback only, as the other servers. */
  host: CORE_DEFAULTS.host,
  /**
   * Largest request body read: a message at tinyqs's default maximum (1 MiB, SQS's too),
   * form-encoded (up to 3 bytes a byte), plus the rest of the request.
   */
  maxRequestBytes: 3 * CORE_DEFAULTS.maxMessageBytes + 64 * 1024,
  shutdownGraceMs: 10_000,
} as const;
