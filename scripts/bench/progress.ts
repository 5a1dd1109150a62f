// A live progress line on stderr (stdout stays clean for the results and --json). On a terminal it
// rewrites one line; in a log it prints a line per tick.

export interface Counts {
  sent: number;
  received: number;
  deleted: number;
}

export function startProgress(label: string, n: number, counts: () => Counts, everyMs = 500): () => void {
  const tty = process.stderr.isTTY;
  let last = counts().deleted;
  let lastT = performance.now();
  const timer = setInterval(() => {
    const c = counts();
    const t = performance.now();
    const rate = Math.round(((c.deleted - last) * 1000) / (t - lastT));
    last = c.deleted;
    lastT = t;
    const line = `${label}: sent ${c.sent}/${n}  received ${c.received}  deleted ${c.deleted}  ${rate.toLocaleString("en-US")} msgs/s`;
    process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
  }, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    if (tty) process.stderr.write("\r\x1b[K");
  };
}
