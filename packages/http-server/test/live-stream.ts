// Reading the dashboard's live stream (server-sent events) from a test, as the page does with fetch.
export interface LiveEvent {
  name: string;
  data: any;
}

export interface LiveReader {
  status: number;
  /** The next `n` events (waiting for them). */
  next(n?: number): Promise<LiveEvent[]>;
  close(): void;
}

export async function openLive(url: string, headers: Record<string, string> = {}): Promise<LiveReader> {
  const ac = new AbortController();
  const res = await fetch(url, { headers, signal: ac.signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const queued: LiveEvent[] = [];
  const pump = async () => {
    const { value, done } = await reader.read();
    if (done) throw new Error("the stream ended");
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const name = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (name && data) queued.push({ name, data: JSON.parse(data) });
    }
  };
  return {
    status: res.status,
    async next(n = 1) {
      while (queued.length < n) await pump();
      return queued.splice(0, n);
    },
    close: () => ac.abort(),
  };
}
