// The environment variables that mean the same thing in every entry point (tinyqs-tcp, tinyqs-http,
// `pnpm start`), so that one name is one thing wherever it is set: a shell that exports
// TINYQS_TCP_PORT for `pnpm start` starts tinyqs-tcp on the same port. A command reads only the
// ones it has a flag for; names of its own (TINYQS_MAX_ARGS…) stay in its own table.

export const ENV = {
  host: "TINYQS_HOST",
  tcpPort: "TINYQS_TCP_PORT",
  httpPort: "TINYQS_HTTP_PORT",
  redis: "TINYQS_REDIS_URL",
  prefix: "TINYQS_PREFIX",
  password: "TINYQS_PASSWORD",
  token: "TINYQS_TOKEN",
  maxMessageBytes: "TINYQS_MAX_MESSAGE_BYTES",
  redisTimeoutMs: "TINYQS_REDIS_TIMEOUT_MS",
  sqsPort: "TINYQS_SQS_PORT",
  noSqs: "TINYQS_NO_SQS",
  sqsCredentials: "TINYQS_SQS_CREDENTIALS",
  sqsAccount: "TINYQS_SQS_ACCOUNT",
  sqsRegion: "TINYQS_SQS_REGION",
  tlsCert: "TINYQS_TLS_CERT",
  tlsKey: "TINYQS_TLS_KEY",
  tlsCa: "TINYQS_TLS_CA",
  tlsClientAuth: "TINYQS_TLS_CLIENT_AUTH",
  usersFile: "TINYQS_USERS_FILE",
  allowEviction: "TINYQS_ALLOW_EVICTION",
  durabilityReplicas: "TINYQS_DURABILITY_REPLICAS",
  durabilityTimeoutMs: "TINYQS_DURABILITY_TIMEOUT_MS",
} as const;

/**
 * Older names, still read (deprecated) when the new one is not set. Each bin read its port from
 * TINYQS_PORT, so one variable could not give the two servers different ports.
 */
export const DEPRECATED_ENV = {
  tcpPort: ["TINYQS_PORT"],
  httpPort: ["TINYQS_PORT"],
} as const satisfies Partial<Record<keyof typeof ENV, readonly string[]>>;
