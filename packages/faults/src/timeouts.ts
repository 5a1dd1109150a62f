// The timeouts of the fault suite, shorter than the defaults so that a fault of a few seconds shows
// its failures and recovery in a few seconds, and nested the way the defaults are (engine < client:
// packages/client/README.md, "Timeouts: how they nest"), so that a client sees the server's
// UNAVAILABLE rather than its own TIMEOUT.
export const TIMEOUTS = {
  /** The engines' Redis timeout (the servers' --redis-timeout-ms and the engine channel's timeoutMs). */
  redisMs: 1000,
  /** The clients' timeoutMs: three times the engine's (the defaults: twice), room for a loaded machine. */
  clientMs: 3000,
  /** Each consumer's long poll. */
  waitMs: 500,
  /** Each reservation: short, so that what a fault left reserved comes back within the drain. */
  visibilityMs: 2000,
  /**
   * Added to every call's bound before it counts as hung: room for a 2-core machine shared with
   * other work (a call past its deadline plus this is a hang, not a slow machine).
   */
  slackMs: 2500,
} as const;
