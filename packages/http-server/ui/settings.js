// A queue's settings, editable (PUT /v1/queues/:queue with the fields changed); read-only: shown only.
import { useEffect, useState } from "preact/hooks";
import { html } from "./html.js";
import { call, queuePath } from "./api.js";

const FIELDS = [
  { key: "visibilityMs", label: "Visibility (ms)", help: "How long a receive reserves a message by default" },
  { key: "maxReceives", label: "Max receives", help: "Dead-letter a message instead of delivering it once more; 0: never" },
  { key: "deadLetterQueue", label: "Dead-letter queue", help: "Where dead letters go", text: true },
  { key: "maxMessageBytes", label: "Max message bytes", help: "Largest body a send accepts" },
  { key: "replyTtlMs", label: "Reply TTL (ms)", help: "How long a reply waits to be collected" },
  { key: "dedupWindowMs", label: "Dedup window (ms)", help: "How long a dedup id is remembered" },
];

export function Settings({ queue, readOnly, onError }) {
  const [config, setConfig] = useState(null);
  const [edits, setEdits] = useState({});
  const [note, setNote] = useState(null);

  // Functional: two fields typed into before a render must both be kept.
  const edit = (key, value) => setEdits((old) => ({ ...old, [key]: value }));

  const load = () =>
    call("GET", queuePath(queue)).then((q) => setConfig(q.config), (e) => (setNote({ bad: true, text: e.message }), onError(e)));
  useEffect(() => void load(), [queue]);

  const save = async (e) => {
    e.preventDefault();
    const changes = {};
    for (const f of FIELDS) {
      if (edits[f.key] === undefined || edits[f.key] === String(config[f.key])) continue;
      changes[f.key] = f.text ? edits[f.key] : Number(edits[f.key]);
    }
    if (Object.keys(changes).length === 0) return setNote({ text: "Nothing changed." });
    try {
      setConfig(await call("PUT", queuePath(queue), { json: changes }));
      setEdits({});
      setNote({ text: `Saved: ${Object.keys(changes).join(", ")}.` });
    } catch (err) {
      setNote({ bad: true, text: err.message });
      onError(err);
    }
  };

  return html`
    <form class="card settings" onSubmit=${save}>
      <h2>Settings</h2>
      ${!config ? html`<p class="muted">Loading…</p>` : html`
        <div class="fields">
          ${FIELDS.map((f) => html`
            <label title=${f.help}>
              <span>${f.label}</span>
              <input name=${f.key} type=${f.text ? "text" : "number"} min="0" disabled=${readOnly}
                value=${edits[f.key] ?? String(config[f.key])} onInput=${(e) => edit(f.key, e.currentTarget.value)} />
            </label>`)}
        </div>
        ${!readOnly && html`<button type="submit" class="primary">Save settings</button>`}`}
      ${note && html`<p class=${note.bad ? "error" : "ok"} role="status">${note.text}</p>`}
    </form>`;
}
