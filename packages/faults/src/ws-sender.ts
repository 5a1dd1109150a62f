// Sends over tinyqs-http's WebSocket (`send` op, docs/websocket.md), written from the protocol
// document rather than reusing @tinyqs/client's socket, so the suite checks the protocol as a
// foreign client meets it. One socket, opened when needed; each send waits `timeoutMs` for its reply
// (then TIMEOUT, and the socket is dropped so a late reply has nowhere to go); a socket that closes
// fails what waits on it with UNAVAILABLE (stored or not is unknown), and the next send reopens it.
import WebSocket from "ws";
import { TinyQSError } from "@tinyqs/core";

interface Waiting {
  resolve: (id: string) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class WsSender {
  private socket: Promise<WebSocket> | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();

  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  async send(queue: string, body: string): Promise<string> {
    const socket = await this.open();
    const requestId = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        reject(new TinyQSError("TIMEOUT", `no reply to send ${requestId} within ${this.timeoutMs} ms: whether it was stored is unknown`));
        socket.terminate();
      }, this.timeoutMs);
      this.waiting.set(requestId, { resolve, reject, timer });
      socket.send(JSON.stringify({ op: "send", requestId, queue, body: Buffer.from(body).toString("base64") }));
    });
  }

  private open(): Promise<WebSocket> {
    if (this.socket) return this.socket;
    const opening = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(this.url);
      const timer = setTimeout(() => (ws.terminate(), reject(new TinyQSError("UNAVAILABLE", `WebSocket ${this.url} did not open within ${this.timeoutMs} ms`))), this.timeoutMs);
      ws.once("open", () => (clearTimeout(timer), resolve(ws)));
      ws.on("error", (e) => (clearTimeout(timer), reject(new TinyQSError("UNAVAILABLE", `WebSocket ${this.url}: ${e.message}`))));
      ws.on("message", (data) => this.reply(JSON.parse(data.toString())));
      ws.once("close", () => {
        if (this.socket === opening) this.socket = null;
        for (const [id, w] of this.waiting) {
          clearTimeout(w.timer);
          w.reject(new TinyQSError("UNAVAILABLE", "the WebSocket closed before the reply: whether it was stored is unknown"));
          this.waiting.delete(id);
        }
      });
    });
    this.socket = opening;
    opening.catch(() => {
      if (this.socket === opening) this.socket = null;
    });
    return opening;
  }

  private reply(frame: { op: string; requestId?: number; ok?: boolean; id?: string; error?: { code: string; message: string } }): void {
    if (frame.op !== "reply" || frame.requestId === undefined) return;
    const w = this.waiting.get(frame.requestId);
    if (!w) return;
    this.waiting.delete(frame.requestId);
    clearTimeout(w.timer);
    if (frame.ok) w.resolve(frame.id!);
    else w.reject(new TinyQSError(frame.error!.code as never, frame.error!.message));
  }

  async close(): Promise<void> {
    const s = await this.socket?.catch(() => null);
    s?.close();
  }
}
