// @tinyqs/core/cli, the kit of the entry points, on a small table of its own: where a value comes
// from (flag, variable, a deprecated name of it, default), what it refuses and in which words,
// --help, redactUrl. The commands built on it are tested as commands in their packages
// (tcp-server and http-server test/cli*.test.ts, test/start.test.ts).
import { describe, expect, it } from "vitest";
import { DEFAULTS, ENV, parseCommandLine, redactUrl, usage, type CliSpec } from "@tinyqs/core/cli";

interface Config {
  host: string;
  port: number;
  limit?: number;
  redis?: string;
}

const spec = (extra: Partial<CliSpec<Config>> = {}): CliSpec<Config> => ({
  name: "demo",
  usage: "demo [options]",
  intro: ["A demonstration."],
  settings: [
    { flag: "--host", env: ENV.host, arg: "HOST", help: "where", set: (c, v) => (c.host = v.text()) },
    { flag: "--port", env: ENV.tcpPort, deprecatedEnv: ["TINYQS_PORT"], arg: "PORT", help: "which port", set: (c, v) => (c.port = v.port()) },
    { flag: "--limit", env: "DEMO_LIMIT", arg: "N", help: "how many\n(at least 1)", set: (c, v) => (c.limit = v.integer(1, 100)) },
    { flag: "--redis", env: ENV.redis, arg: "URL", help: "which Redis", set: (c, v) => (c.redis = v.text()) },
  ],
  defaults: () => ({ host: DEFAULTS.host, port: DEFAULTS.tcpPort }),
  ...extra,
});

const run = (argv: string[], env: NodeJS.ProcessEnv = {}, s = spec()) => {
  const warnings: string[] = [];
  const r = parseCommandLine(s, argv, env, (w) => warnings.push(w));
  return { config: r.kind === "run" ? r.config : r.kind, warnings };
};

describe("@tinyqs/core/cli: where a value comes from", () => {
  it("a flag beats its variable, which beats the default", () => {
    expect(run([]).config).toEqual({ host: "127.0.0.1", port: 7379 });
    expect(run([], { TINYQS_HOST: "0.0.0.0", TINYQS_TCP_PORT: "7001" }).config).toEqual({ host: "0.0.0.0", port: 7001 });
    expect(run(["--port=7002", "--host", "::1"], { TINYQS_HOST: "0.0.0.0", TINYQS_TCP_PORT: "7001" }).config).toEqual({ host: "::1", port: 7002 });
    expect(run([], { TINYQS_TCP_PORT: "" }).config).toMatchObject({ port: 7379 }); // empty is unset
  });

  it("only the value that wins is read: a bad variable under a good flag does no harm", () => {
    expect(run(["--port", "0", "--limit", "5"], { TINYQS_TCP_PORT: "not a port", DEMO_LIMIT: "0" }).config).toMatchObject({ port: 0, limit: 5 });
  });

  it("a deprecated name is still read, with a warning, when the new one is not set", () => {
    expect(run([], { TINYQS_PORT: "7003" })).toEqual({ config: { host: "127.0.0.1", port: 7003 }, warnings: ["TINYQS_PORT is deprecated: use TINYQS_TCP_PORT"] });
    expect(run([], { TINYQS_PORT: "7003", TINYQS_TCP_PORT: "7004" })).toEqual({ config: { host: "127.0.0.1", port: 7004 }, warnings: [] });
    expect(run(["--port", "7005"], { TINYQS_PORT: "x" })).toEqual({ config: { host: "127.0.0.1", port: 7005 }, warnings: [] });
    expect(() => run([], { TINYQS_PORT: "x" })).toThrow('TINYQS_PORT must be a port number (0-65535; 0: any free port), got "x"');
  });

  it("--help and --version answer wherever they are on the line", () => {
    expect(run(["--port", "1", "-h"]).config).toBe("help");
    expect(run(["--nope", "--help"]).config).toBe("help");
    expect(run(["--version"], {}, spec({ version: "1.2.3" })).config).toBe("version");
    expect(() => run(["--version"])).toThrow('unknown option "--version"'); // no version, no flag
  });
});

describe("@tinyqs/core/cli: what it refuses", () => {
  it("unknown options and stray arguments, missing values, empty text", () => {
    expect(() => run(["--nope=1"])).toThrow('unknown option "--nope=1"');
    expect(() => run(["stray"])).toThrow('unknown option "stray"');
    expect(() => run(["--", "--port", "1"])).toThrow('unknown option "--"');
    expect(() => run(["--port"])).toThrow("--port needs a value (PORT)");
    expect(() => run(["--host="])).toThrow("--host needs a value (HOST)");
    expect(() => run(["--help=yes"])).toThrow('unknown option "--help=yes"');
  });

  it("ports and integers: digits only, then the range, the value quoted as typed", () => {
    expect(() => run(["--port", "70000"])).toThrow('--port must be a port number (0-65535; 0: any free port), got "70000"');
    expect(() => run(["--port", "-1"])).toThrow("--port must be a port number");
    expect(() => run(["--limit", "1e3"])).toThrow('--limit needs a non-negative integer, got "1e3"');
    expect(() => run(["--limit", "0"])).toThrow("--limit must be an integer from 1 to 100, got \"0\"");
    expect(() => run([], { DEMO_LIMIT: "101" })).toThrow("DEMO_LIMIT must be an integer from 1 to 100, got \"101\"");
    expect(run(["--limit", "100"]).config).toMatchObject({ limit: 100 });
    const open = spec({ settings: [{ flag: "--min", env: "DEMO_MIN", arg: "N", help: "no upper bound", set: (c, v) => (c.limit = v.integer(1)) }] });
    expect(() => run(["--min", "0"], {}, open)).toThrow('--min must be an integer from 1 up, got "0"');
    expect(run(["--min", "123456789"], {}, open).config).toMatchObject({ limit: 123456789 });
  });

  it("a command's own words: repeats refused, errors from variables after the variable, unknown options unquoted", () => {
    const strict = spec({ repeats: "refuse", envErrors: "variable: flag", wording: { unknownOption: (a) => `unknown option ${a}` } });
    expect(() => run(["--port", "1", "--port=2"], {}, strict)).toThrow("--port given twice");
    expect(run(["--port", "1", "--port=2"]).config).toMatchObject({ port: 2 }); // by default the last one counts
    expect(() => run([], { TINYQS_TCP_PORT: "x" }, strict)).toThrow("TINYQS_TCP_PORT: --port must be a port number");
    expect(() => run(["--nope"], {}, strict)).toThrow(/^unknown option --nope$/);
  });
});

describe("@tinyqs/core/cli: --help and redactUrl", () => {
  it("--help lists each flag with its help, then its variable; deprecated names in a section of their own", () => {
    const text = usage(spec({ version: "1", outro: ["The end."] }));
    expect(text.split("\n").slice(0, 3)).toEqual(["usage: demo [options]", "", "A demonstration."]);
    expect(text).toMatch(/^ {2}--port PORT +which port\n +env TINYQS_TCP_PORT$/m);
    expect(text).toMatch(/^ {2}--limit N +how many\n +\(at least 1\)\n +env DEMO_LIMIT$/m);
    expect(text).toMatch(/^ {2}-h, --help +this text\n {2}-v, --version +the version$/m);
    expect(text).toMatch(/\nDeprecated variables, still read \(when both are set, the new name wins\):\n {2}--port PORT +TINYQS_TCP_PORT's old name\n +env TINYQS_PORT\n\nThe end\.$/);
    expect(usage(spec({ settings: spec().settings.slice(0, 1) }))).not.toContain("Deprecated");
  });

  it("redactUrl hides a password and leaves the rest as written", () => {
    expect(redactUrl("redis://user:secret@host:1/0")).toBe("redis://user:***@host:1/0");
    expect(redactUrl("redis://:hush@db:6380")).toBe("redis://:***@db:6380");
    expect(redactUrl("rediss://:hush@db:6380/")).toBe("rediss://:***@db:6380/");
    expect(redactUrl("redis://host:1")).toBe("redis://host:1");
    expect(redactUrl("not a url")).toBe("not a url");
  });
});
