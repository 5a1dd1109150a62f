// A small test client over a real `ws` WebSocket: collects every frame, waits for frames matching
// a predicate, and sends requests with fresh requestIds, resolving with their reply.
import WebSocket from "ws";

export type Frame = Record<string, any>;

export class WsClient {
  readonly frames: Frame[] = [];
  private waiters: Array<{ pred: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  private nextId = 1;
  closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      const f = JSON.parse(data.toString()) as Frame;
      this.frames.push(f);
      for (const w of [...this.waiters]) {
        if (w.pred(f)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(f);
        }
      }
    });
    this.closed = new Promise((resolve) => socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static open(url: string, options: WebSocket.ClientOptions = {}): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options);
      socket.once("open", () => resolve(new WsClient(socket)));
      socket.once("error", reject);
      socket.once("unexpected-response", (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, res })));
    });
  }

  /** The first frame (already received or still to come) matching pred; seen frames are not consumed. */
  waitFor(pred: (f: Frame) => boolean, timeoutMs = 5000, from = 0): Promise<Frame> {
    const seen = this.frames.slice(from).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (f) => (clearTimeout(timer), resolve(f)) });
    });
  }

  messages(queue?: string): Frame[] {
    return this.frames.filter((f) => f.op === "message" && (queue === undefined || f.queue === queue));
  }

  /** Wait until `n` message frames have arrived (for this queue). */
  async waitMessages(n: number, queue?: string, timeoutMs = 5000): Promise<Frame[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages(queue).length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} messages, got ${this.messages(queue).length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.messages(queue);
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }

  /** Send one request and resolve with its reply frame. */
  request(op: string, fields: Record<string, unknown> = {}): Promise<Frame> {
    const requestId = `r${this.nextId++}`;
    const reply = this.waitFor((f) => f.op === "reply" && f.requestId === requestId);
    this.socket.send(JSON.stringify({ op, requestId, ...fields }));
    return reply;
  }

  close(): Promise<unknown> {
    this.socket.close();
    return this.closed;
  }

  /** Drop the TCP connection without a close handshake, as a crashed client would. */
  kill(): Promise<unknown> {
    this.socket.terminate();
    return this.closed;
  }
}
