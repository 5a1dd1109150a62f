// Message bodies as the peers' harness makes them: ASCII strings of exactly `size` bytes whose first
// 8 characters are the zero-padded sequence number, the rest 'x'. The sequence number is how every
// run checks exactly-once delivery and matches a receive to its send for latency.

export function bodyMaker(size: number): (seq: number) => string {
  const fill = "x".repeat(size);
  return (seq) => String(seq).padStart(8, "0") + fill.slice(8);
}

const ZERO = 48;

/** The sequence number in the first 8 bytes; parsed in place so a 32 KiB Buffer is not decoded. */
export function seqOf(body: Buffer | string): number {
  if (typeof body === "string") return Number(body.slice(0, 8));
  let s = 0;
  for (let i = 0; i < 8; i++) {
    const d = (body[i] ?? -1) - ZERO;
    if (d < 0 || d > 9) return -1;
    s = s * 10 + d;
  }
  return s;
}

/** The reply R's responders make for request `seq`: the same size and sequence number with another
 * filler, so a request echoed back (or any other request's reply) is never taken for its reply. */
export function replyMaker(size: number): (seq: number) => string {
  const fill = "r".repeat(size);
  return (seq) => String(seq).padStart(8, "0") + fill.slice(8);
}

/** Whether a body that came back (a Buffer, or a string from a client that decodes) is `expected`. */
export function sameBody(body: Buffer | string, expected: string): boolean {
  if (typeof body === "string") return body === expected;
  return body.length === expected.length && body.toString("latin1") === expected;
}
