// The cross-protocol guard, as Redis has it: a web page can make a browser send an HTTP request to
// this port (a "simple" cross-origin POST needs no preflight), and its body, read as inline
// commands, would run. A command named POST or HOST: (Redis's two), or GET (not a tinyqs command,
// and the first word of every other HTTP request) can only be HTTP: the connection closes at once,
// nothing read after it runs, and nothing is logged (Redis logs a warning; a server that a web page
// can make write logs at will should not).
const HTTP_WORDS = new Set(["post", "get", "host:"]);

/** Whether a command name (as sent, any case) is the start of an HTTP request. */
export function isHttpRequest(name: Buffer | undefined): boolean {
  return name !== undefined && name.length <= 5 && HTTP_WORDS.has(name.toString("latin1").toLowerCase());
}
