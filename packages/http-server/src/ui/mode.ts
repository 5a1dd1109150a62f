// How the dashboard is served (--ui, --no-ui), and the marker its requests carry.
//
// Read-only: the page shows no actions, and the server refuses (403) every request that changes
// something and carries the marker header, which the page sets on all its requests. That keeps the
// page itself read-only; it is not access control: whoever may call the API (no --token, or with a
// token or user) can still do so with curl, and with --token/--users the page sends the user's own
// credentials, so it can never do more than the user's grants allow (docs/dashboard.md).
import { TinyQSError } from "@tinyqs/core";

export type UiMode = "on" | "read-only" | "off";

export const UI_MODES: readonly UiMode[] = ["on", "read-only", "off"];

/** The header every request of the page carries (its value is "1"). */
export const UI_HEADER = "tinyqs-ui";

export function checkUiMode(mode: unknown): UiMode {
  if (UI_MODES.includes(mode as UiMode)) return mode as UiMode;
  throw new RangeError(`ui must be one of ${UI_MODES.join(", ")}, got ${JSON.stringify(mode)}`);
}

export function readOnlyRefusal(): TinyQSError {
  return new TinyQSError("FORBIDDEN", "the dashboard is read-only on this server (--ui read-only): it may look, not change anything");
}
