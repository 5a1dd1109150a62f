// What an entry point tells the kit about its command line: one table of settings (flag, variable,
// argument name, help, how the string becomes the value) and a few lines around them. From that
// one table come both the parsing (parse.ts) and --help (usage(), here), so the two cannot drift.
import type { CliValue, CliWording } from "./value.js";

export interface CliSetting<C> {
  /** The long flag, e.g. "--port". */
  flag: `--${string}`;
  /** The environment variable that does the same, e.g. "TINYQS_TCP_PORT" (names.ts for the shared ones). */
  env: string;
  /** Older names of the variable, still read when `env` is not set (deprecated; --help says so). */
  deprecatedEnv?: readonly string[];
  /** The argument's name in --help: PORT, URL… ("" for a switch). */
  arg: string;
  /**
   * A switch (--no-sqs, --allow-eviction): the flag takes no value (it means yes), and its variable is 1/true/yes or 0/false/no.
   * `set` then gets "true" or "false", for CliValue.yes().
   */
  switch?: true;
  /** One or more lines for --help (with the default, where there is one). */
  help: string;
  /** Turns the string into the value and stores it; a CliError (or any Error) for a bad one. */
  set(config: C, value: CliValue): void;
}

export interface CliSpec<C> {
  /** The command's name: the first word of what it says ("tinyqs-tcp: unknown option …"). */
  name: string;
  /** --help's first line, after "usage: ". */
  usage: string;
  /** Lines between the usage line and the options. */
  intro: readonly string[];
  /** Lines after the options. */
  outro?: readonly string[];
  /** With a version, -v / --version print it. */
  version?: string;
  settings: ReadonlyArray<CliSetting<C>>;
  /** A fresh config holding the defaults; the settings given change it. */
  defaults(): C;
  /** A flag given twice: the last one counts (default), or it is refused. */
  repeats?: "last wins" | "refuse";
  /**
   * A bad value from a variable is told naming the variable as if it were the flag (default:
   * "TINYQS_X needs …"), or naming the variable, then the flag ("TINYQS_X: --x needs …").
   */
  envErrors?: "variable" | "variable: flag";
  wording?: Partial<CliWording>;
}

export type CliRequest<C> = { kind: "help" } | { kind: "version" } | { kind: "run"; config: C };

/** --help, written from the table: each flag with its help, then its variable on a line of its own. */
export function usage<C>(spec: CliSpec<C>): string {
  const rows = spec.settings.map((s) => ({ left: s.switch ? s.flag : `${s.flag} ${s.arg}`, lines: [...s.help.split("\n"), `env ${s.env}`] }));
  rows.push({ left: "-h, --help", lines: ["this text"] });
  if (spec.version !== undefined) rows.push({ left: "-v, --version", lines: ["the version"] });
  // The deprecated names in a section of their own, in the same layout: the main table shows only
  // the names to use, and a script that still sets an old one finds it here.
  const old = spec.settings.flatMap((s) => (s.deprecatedEnv ?? []).map((name) => ({ left: `${s.flag} ${s.arg}`, lines: [`${s.env}'s old name`, `env ${name}`] })));
  const width = Math.max(...[...rows, ...old].map((r) => r.left.length)) + 2;
  const table = (list: typeof rows) => list.flatMap((r) => r.lines.map((line, i) => `  ${(i === 0 ? r.left : "").padEnd(width)} ${line}`));
  return [
    `usage: ${spec.usage}`,
    "",
    ...spec.intro,
    "",
    ...table(rows),
    ...(old.length > 0 ? ["", "Deprecated variables, still read (when both are set, the new name wins):", ...table(old)] : []),
    ...(spec.outro ? ["", ...spec.outro] : []),
  ].join("\n");
}
