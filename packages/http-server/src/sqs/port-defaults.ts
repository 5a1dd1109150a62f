// The SQS port's defaults that the command lines show in --help, free of imports so that `pnpm
// start` can read them (with cli-settings.ts) from source before anything is built.
export const SQS_PORT_DEFAULTS = {
  /** ElasticMQ's port: tools and docs written for a local SQS already point there. */
  port: 9324,
  /** The account id in queue URLs and ARNs: the one local SQS emulators use. */
  account: "000000000000",
  region: "us-east-1",
} as const;
