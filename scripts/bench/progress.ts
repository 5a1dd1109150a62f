// A live progress line on stderr (stdout stays clean for the results and --json). On a terminal it
// rewrites one line; in a log it prints a line per tick.

export interface Counts {
  sent: number;
  received: number;
  deleted: number;
}

/** What the three counts and the rate (of the third count) are called in the line. */
export interface ProgressWords {
  counts: [sent: string, received: string, deleted: string];
  rate: string;
}

export const MESSAGE_WORDS: ProgressWords = { counts: ["sent", "received", "deleted"], rate: "msgs/s" };
/** Scenario R: requests put, taken by a responder, and answered (the caller has its reply). */
export const REQUEST_WORDS: ProgressWords = { counts: ["put", "taken", "answered"], rate: "requests/s" };

export function startProgress(label: string, n: number, counts: () => Counts, words = MESSAGE_WORDS, everyMs = 500): () => void {
  const [w0, w1, w2] = words.counts;
  const tty = process.stderr.isTTY;
  let last = counts().deleted;
  let lastT = performance.now();
  const timer = setInterval(() => {
    const c = counts();
    const t = performance.now();
    const rate = Math.round(((c.deleted - last) * 1000) / (t - lastT));
    last = c.deleted;
    lastT = t;
    const line = `${label}: ${w0} ${c.sent}/${n}  ${w1} ${c.received}  ${w2} ${c.deleted}  ${rate.toLocaleString("en-US")} ${words.rate}`;
    process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
  }, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    if (tty) process.stderr.write("\r\x1b[K");
  };
}
