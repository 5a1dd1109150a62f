// The messages of one state (ready: in the order a receive takes them; in flight; delayed), 15 at a
// time, with a body preview (text, or hex for binary; its size) and a delete button per message.
import { useEffect, useState } from "preact/hooks";
import { html } from "./html.js";
import { call, queuePath } from "./api.js";
import { bytes, dateTime, preview } from "./format.js";

const STATES = [
  { key: "ready", label: "Ready" },
  { key: "inFlight", label: "In flight" },
  { key: "delayed", label: "Delayed" },
];
const PAGE = 15;
const PREVIEW_BYTES = 256;

export function Browse({ queue, readOnly, onError, version }) {
  const [state, setState] = useState("ready");
  const [offset, setOffset] = useState(0);
  const [messages, setMessages] = useState(null);
  const [note, setNote] = useState(null);

  const load = async () => {
    try {
      const r = await call("GET", queuePath(queue, `/browse/${state}?offset=${offset}&limit=${PAGE}&bodyBytes=${PREVIEW_BYTES}`));
      setMessages(r.messages);
    } catch (e) {
      setNote({ bad: true, text: e.message });
      onError(e);
    }
  };
  useEffect(() => void load(), [queue, state, offset, version]);

  const remove = async (id) => {
    try {
      await call("DELETE", queuePath(queue, `/messages/${encodeURIComponent(id)}`));
      setNote({ text: `Deleted ${id}.` });
    } catch (e) {
      setNote({ bad: true, text: e.message });
      onError(e);
    }
    load();
  };

  const when = (m) => (m.state === "inFlight" ? `lease ends ${dateTime(m.leaseEndsAt)}` : m.state === "delayed" ? `due ${dateTime(m.dueAt)}` : "");

  return html`
    <section class="card browse">
      <div class="head">
        <h2>Messages</h2>
        <div class="tabs" role="tablist">
          ${STATES.map((s) => html`
            <button role="tab" aria-selected=${state === s.key} class=${state === s.key ? "on" : ""}
              onClick=${() => (setState(s.key), setOffset(0))}>${s.label}</button>`)}
        </div>
        <button class="link" onClick=${load}>Refresh</button>
      </div>
      ${note && html`<p class=${note.bad ? "error" : "ok"} role="status">${note.text}</p>`}
      ${messages === null ? html`<p class="muted">Loading…</p>` : messages.length === 0 ? html`<p class="empty">No ${STATES.find((s) => s.key === state).label.toLowerCase()} messages${offset ? " from here" : ""}.</p>` : html`
        <table class="messages">
          <thead><tr><th>Id</th><th class="num">Receives</th><th>Sent</th><th>Body</th><th class="num">Size</th>${!readOnly && html`<th></th>`}</tr></thead>
          <tbody>
            ${messages.map((m) => {
              const p = preview(m.body, m.size);
              return html`
                <tr key=${m.id} data-id=${m.id}>
                  <td class="mono">${m.id}<div class="muted small">${when(m)}</div></td>
                  <td class="num">${m.receiveCount}</td>
                  <td>${dateTime(m.sentAt)}</td>
                  <td class="body"><span class=${`kind ${p.kind}`}>${p.kind}</span><code class="preview">${p.text}</code>${p.cut && html`<span class="muted">…</span>`}</td>
                  <td class="num">${bytes(m.size)}</td>
                  ${!readOnly && html`<td><button class="danger small" onClick=${() => remove(m.id)} aria-label=${`Delete ${m.id}`}>Delete</button></td>`}
                </tr>`;
            })}
          </tbody>
        </table>`}
      <div class="pager">
        <button disabled=${offset === 0} onClick=${() => setOffset(Math.max(0, offset - PAGE))}>← Newer</button>
        <span class="muted">${messages?.length ? `${offset + 1}–${offset + messages.length}` : ""}</span>
        <button disabled=${!messages || messages.length < PAGE} onClick=${() => setOffset(offset + PAGE)}>Older →</button>
      </div>
    </section>`;
}
