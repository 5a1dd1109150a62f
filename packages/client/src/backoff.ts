// The client's reconnection policy: the wait before reconnection attempt `attempt` (1, 2, …), core's
// backoff() from 50 ms, capped at `maxDelayMs`, jittered so that many clients cut by the same server
// restart do not all come back in the same millisecond. Used by the TCP client and by the HTTP
// worker's WebSocket.
import { backoff } from "@tinyqs/core";

const FIRST_RECONNECT_DELAY_MS = 50;

export function reconnectDelay(attempt: number, maxDelayMs: number, random: () => number = Math.random): number {
  return backoff(attempt, FIRST_RECONNECT_DELAY_MS, maxDelayMs, random);
}
