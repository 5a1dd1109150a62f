// The SQS port's defaults, each with why.
import { DEFAULTS as CORE_DEFAULTS } from "@tinyqs/core";

export const SQS_DEFAULTS = {
  /** ElasticMQ's port: tools and docs written for a local SQS already point there. */
  port: 9324,
  /** Loopback only, as the other servers. */
  host: CORE_DEFAULTS.host,
  /** The account id in queue URLs and ARNs: the one local SQS emulators use. */
  account: "000000000000",
  region: "us-east-1",
  /**
   * Largest request body read: a message at tinyqs's default maximum (1 MiB, SQS's too),
   * form-encoded (up to 3 bytes a byte), plus the rest of the request.
   */
  maxRequestBytes: 3 * CORE_DEFAULTS.maxMessageBytes + 64 * 1024,
  shutdownGraceMs: 10_000,
} as const;
