// How long the TCP client waits before reconnection attempt `attempt` (1, 2, …): exponential from
// 50 ms, capped at `maxDelayMs`, with jitter so that many clients cut by the same server restart do
// not all come back in the same millisecond. The jitter keeps the upper half of the step
// ([step/2, step]): the delay still grows attempt by attempt, and never exceeds the cap.
export const FIRST_RECONNECT_DELAY_MS = 50;

export function reconnectDelay(attempt: number, maxDelayMs: number, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  // 2^16 × 50 ms is far past any sensible cap; stop doubling before the number means nothing.
  const step = Math.min(maxDelayMs, FIRST_RECONNECT_DELAY_MS * 2 ** Math.min(n - 1, 16));
  return Math.round(step * (0.5 + random() / 2));
}
