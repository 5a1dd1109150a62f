// The server's live stream (GET /v1/live, /v1/live/:queue: server-sent events, docs/dashboard.md),
// read with fetch rather than EventSource, which cannot send the Authorization header. A stream that
// breaks is opened again a second later; one refused (401, 403, 404, 400) is not. While the tab is
// hidden the stream is closed (the server stops sampling when nobody watches, and a browser has
// only 6 connections to one server over HTTP/1.1 for all its tabs), and opened again when it shows.
import { errorOf, headers } from "./api.js";

const FINAL = new Set([400, 401, 403, 404]);

/** Calls onEvent(name, data) for each event, onError(error) on trouble; returns the function that closes it. */
export function openLive(path, onEvent, onError) {
  let closed = false;
  let abort = null;
  (async () => {
    while (!closed) {
      if (document.hidden) await shown();
      if (closed) return;
      const ac = new AbortController();
      abort = () => ac.abort();
      const hide = () => document.hidden && ac.abort();
      document.addEventListener("visibilitychange", hide);
      try {
        const res = await fetch(path, { headers: headers(), signal: ac.signal, cache: "no-store" });
        if (!res.ok) {
          const error = await errorOf(res);
          onError(error);
          if (FINAL.has(res.status)) return;
        } else {
          await readEvents(res.body, onEvent);
        }
      } catch (e) {
        if (closed) return;
        if (!ac.signal.aborted) onError(e);
      } finally {
        document.removeEventListener("visibilitychange", hide);
      }
      if (!document.hidden) await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  return () => {
    closed = true;
    abort?.();
  };
}

const shown = () =>
  new Promise((resolve) => {
    const on = () => !document.hidden && (document.removeEventListener("visibilitychange", on), resolve());
    document.addEventListener("visibilitychange", on);
  });

/** Server-sent events: blocks separated by a blank line, `event:` and `data:` lines in each. */
async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) name = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (data) onEvent(name, JSON.parse(data));
    }
  }
}
