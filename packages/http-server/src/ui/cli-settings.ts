// The dashboard's flags, one table shared by `tinyqs-http` and `pnpm start` (each puts them in its
// own CliSpec). Import-free, as sqs/cli-settings.ts is: `pnpm start` reads it from source for --help.
import type { Setting } from "../cli-setting.js";
import type { UiMode } from "./mode.js";

const MODES = ["on", "read-only", "off"];

export function uiSettings<C>(setMode: (c: C, mode: UiMode) => void): Array<Setting<C>> {
  return [
    {
      flag: "--ui", env: "TINYQS_UI", arg: "MODE",
      help: "the dashboard page at /ui/: on (default), read-only (no actions; the page's changing\nrequests are refused, 403), or off",
      set: (c, v) => {
        const mode = v.text();
        if (!MODES.includes(mode)) throw new Error(`--ui must be one of ${MODES.join(", ")}, got ${JSON.stringify(mode)}`);
        setMode(c, mode as UiMode);
      },
    },
    {
      flag: "--no-ui", env: "TINYQS_NO_UI", arg: "", switch: true, help: "no dashboard page (the same as --ui off; the variable: 1/true/yes, or 0/false/no)",
      set: (c, v) => {
        if (v.yes()) setMode(c, "off");
      },
    },
  ];
}
