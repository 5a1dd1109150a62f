// What every entry point does first with its command line: --help and --version are printed and
// exit 0; a bad flag or value is said on stderr, followed by the usage, and exits 2; otherwise
// there is a config to run with.
import { parseCommandLine } from "./parse.js";
import { usage, type CliRequest, type CliSpec } from "./spec.js";

/**
 * `parse` defaults to reading process.argv and process.env against `spec`, with deprecated
 * variables warned about on stderr.
 */
export function readCommandLine<C>(
  spec: CliSpec<C>,
  parse: () => CliRequest<C> = () => parseCommandLine(spec, process.argv.slice(2), process.env, warnOnStderr(spec.name)),
): { config: C } | { exitCode: number } {
  let request: CliRequest<C>;
  try {
    request = parse();
  } catch (e) {
    process.stderr.write(`${spec.name}: ${(e as Error).message}\n\n${usage(spec)}\n`);
    return { exitCode: 2 };
  }
  if (request.kind === "run") return { config: request.config };
  process.stdout.write(`${request.kind === "help" ? usage(spec) : spec.version}\n`);
  return { exitCode: 0 };
}

/** Warnings about the command line ("TINYQS_PORT is deprecated: …"), prefixed with the command's name. */
export function warnOnStderr(name: string): (line: string) => void {
  return (line) => process.stderr.write(`${name}: warning: ${line}\n`);
}
