// Reading a command line against its table (spec.ts): node:util parseArgs splits the arguments,
// then each setting takes its value from its flag, else its variable (else an older, deprecated
// name of it), else keeps the default. Only the value that wins is read, so a bad variable under a
// good flag does no harm. Flags are applied after the variables, in the order given, so of two
// flags that set the same thing (tinyqs-tcp's --redis and --cluster) the later one counts.
import { parseArgs } from "node:util";
import type { CliRequest, CliSetting, CliSpec } from "./spec.js";
import { CliError, CliValue, DEFAULT_WORDING, type CliWording } from "./value.js";

interface FlagValue<C> {
  setting: CliSetting<C>;
  raw: string;
}

/**
 * argv (without node and the script) and the environment → what to do. Throws CliError, with a
 * message for the user. `warn` hears of each deprecated variable read.
 */
export function parseCommandLine<C>(
  spec: CliSpec<C>,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  warn: (line: string) => void = () => {},
): CliRequest<C> {
  const wording: CliWording = { ...DEFAULT_WORDING, ...spec.wording };
  const flags = readFlags(spec, argv, wording);
  if (flags === "help" || flags === "version") return { kind: flags };
  const config = spec.defaults();
  const given = new Set(flags.map((f) => f.setting));
  for (const setting of spec.settings) {
    if (!given.has(setting)) applyEnv(spec, setting, config, env, wording, warn);
  }
  for (const { setting, raw } of flags) apply(setting, config, new CliValue(raw, setting.flag, setting.arg, wording));
  return { kind: "run", config };
}

/** The flags given, in order; or "help" / "version" if asked for anywhere on the line. */
function readFlags<C>(spec: CliSpec<C>, argv: readonly string[], wording: CliWording): FlagValue<C>[] | "help" | "version" {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = { help: { type: "boolean", short: "h" } };
  if (spec.version !== undefined) options.version = { type: "boolean", short: "v" };
  for (const s of spec.settings) options[s.flag.slice(2)] = { type: s.switch ? "boolean" : "string" };
  // Not strict: the kit words the errors itself, and takes a value that starts with "-" ("-1") as
  // the value it is, to refuse it as such.
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  if (tokens.some((t) => t.kind === "option" && t.name === "help" && t.value === undefined)) return "help";
  if (tokens.some((t) => t.kind === "option" && t.name === "version" && t.value === undefined && spec.version !== undefined)) return "version";
  const flags: FlagValue<C>[] = [];
  for (const t of tokens) {
    const setting = t.kind === "option" ? spec.settings.find((s) => s.flag === `--${t.name}` && t.rawName === s.flag) : undefined;
    if (!setting) throw new CliError(wording.unknownOption(argv[t.index]!));
    if (setting.switch) {
      if (t.kind === "option" && t.value !== undefined) throw new CliError(`${setting.flag} takes no value`);
      flags.push({ setting, raw: "true" });
      continue;
    }
    const raw = t.kind === "option" ? t.value : undefined;
    if (raw === undefined) throw new CliError(`${setting.flag} needs a value (${setting.arg})`);
    if (spec.repeats === "refuse" && flags.some((f) => f.setting === setting)) throw new CliError(`${setting.flag} given twice`);
    flags.push({ setting, raw });
  }
  return flags;
}

/** A setting from its variable, or else from the first of its older names that is set. Empty is unset. */
function applyEnv<C>(
  spec: CliSpec<C>,
  setting: CliSetting<C>,
  config: C,
  env: NodeJS.ProcessEnv,
  wording: CliWording,
  warn: (line: string) => void,
): void {
  const name = [setting.env, ...(setting.deprecatedEnv ?? [])].find((n) => env[n] !== undefined && env[n] !== "");
  if (name === undefined) return;
  if (name !== setting.env) warn(`${name} is deprecated: use ${setting.env}`);
  if (spec.envErrors !== "variable: flag") return apply(setting, config, new CliValue(env[name]!, name, setting.arg, wording));
  try {
    apply(setting, config, new CliValue(env[name]!, setting.flag, setting.arg, wording));
  } catch (e) {
    throw new CliError(`${name}: ${(e as Error).message}`);
  }
}

/** Whatever a setting throws (core's checkInt throws a TinyQSError) reaches the user as a CliError. */
function apply<C>(setting: CliSetting<C>, config: C, value: CliValue): void {
  try {
    setting.set(config, value);
  } catch (e) {
    throw e instanceof CliError ? e : new CliError((e as Error).message);
  }
}
