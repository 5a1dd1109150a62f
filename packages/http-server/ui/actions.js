// What the page can do to a queue (none of it shown read-only): send a test message, pause or resume
// receives, redrive its dead letters (to the queues they died in, or another), purge (after a confirmation).
import { useState } from "preact/hooks";
import { html } from "./html.js";
import { call, queuePath } from "./api.js";

export function Actions({ queue, paused, onDone, onError }) {
  const [body, setBody] = useState("hello from the dashboard");
  const [redriveTo, setRedriveTo] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [note, setNote] = useState(null);

  const act = async (what, request) => {
    try {
      const r = await request();
      setNote({ text: what(r) });
      onDone();
    } catch (e) {
      setNote({ bad: true, text: e.message });
      onError(e);
    }
  };
  const send = (e) => {
    e.preventDefault();
    act((r) => `Sent ${r.id}.`, () => call("POST", queuePath(queue, "/messages"), { body }));
  };
  const pauseOrResume = () =>
    act((r) => (r.paused ? "Paused: receives deliver nothing until resumed." : "Resumed."), () => call("POST", queuePath(queue, paused ? "/resume" : "/pause")));
  const redrive = (e) => {
    e.preventDefault();
    const json = redriveTo.trim() ? { to: redriveTo.trim() } : {};
    act((r) => `Moved ${r.moved} dead letter${r.moved === 1 ? "" : "s"} back.`, () => call("POST", queuePath(queue, "/redrive"), { json }));
  };
  const purge = () => {
    setConfirming(false);
    act((r) => `Purged ${r.purged} message${r.purged === 1 ? "" : "s"}.`, () => call("POST", queuePath(queue, "/purge")));
  };

  return html`
    <section class="card actions">
      <h2>Actions</h2>
      <form class="row" onSubmit=${send}>
        <input name="body" aria-label="Test message body" value=${body} onInput=${(e) => setBody(e.currentTarget.value)} />
        <button type="submit" class="primary">Send test message</button>
      </form>
      <div class="row">
        <button name="pause" onClick=${pauseOrResume}>${paused ? "Resume receives" : "Pause receives"}</button>
      </div>
      <form class="row" onSubmit=${redrive}>
        <input name="redriveTo" aria-label="Redrive to (optional)" placeholder="to the queues they died in, or: queue name" value=${redriveTo}
          onInput=${(e) => setRedriveTo(e.currentTarget.value)} />
        <button type="submit" name="redrive">Redrive dead letters</button>
      </form>
      <div class="row">
        ${confirming
          ? html`<span class="confirm">Remove every message of <b>${queue}</b>?</span>
              <button class="danger" name="confirm-purge" onClick=${purge}>Yes, purge</button>
              <button onClick=${() => setConfirming(false)}>Cancel</button>`
          : html`<button class="danger" name="purge" onClick=${() => setConfirming(true)}>Purge…</button>`}
      </div>
      ${note && html`<p class=${note.bad ? "error" : "ok"} role="status">${note.text}</p>`}
    </section>`;
}
