// The form that asks for the token (or a user's password, with --users) once per tab: kept in
// sessionStorage, so it is gone when the tab closes, and sent as Authorization: Bearer.
import { useState } from "preact/hooks";
import { html } from "./html.js";
import { token } from "./api.js";

export function TokenForm({ error, onToken }) {
  const [value, setValue] = useState("");
  const submit = (e) => {
    e.preventDefault();
    if (!value) return;
    token.set(value);
    onToken();
  };
  return html`
    <form class="card token" onSubmit=${submit}>
      <h2>This server needs a token</h2>
      <p>Give the token it was started with (<code>--token</code>), or your password with <code>--users</code>.
        It is kept for this tab only.</p>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <input type="password" name="token" autocomplete="current-password" placeholder="token" value=${value}
        onInput=${(e) => setValue(e.currentTarget.value)} autofocus />
      <button type="submit" class="primary">Open the dashboard</button>
    </form>`;
}
