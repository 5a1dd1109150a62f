// The cross-protocol guard, as Redis has it: a web page can make a browser send an HTTP request to
// this port (a "simple" cross-origin POST needs no preflight), and its body, read as inline
// commands, would run. A command named POST or HOST: (Redis's two), or GET (not a tinyqs command,
// and the first word of every other HTTP request) can only be HTTP: the connection closes at once,
// nothing read after it runs, and nothing is logged (Redis logs a warning; a server that a web page
// can make write logs at will should not).
const HTTP_WORDS = ["post", "get", "host:"].map((w) => Buffer.from(w, "latin1"));

/**
 * Whether a command name (as sent, any case) is the start of an HTTP request. Every command read
 * passes here, so it compares bytes and allocates nothing.
 */
export function isHttpRequest(name: Buffer | undefined): boolean {
  if (name === undefined) return false;
  for (const word of HTTP_WORDS) if (name.length === word.length && sameLetters(name, word)) return true;
  return false;
}

/** `name` equals the lower-case ASCII `word`, ignoring the case of letters. */
function sameLetters(name: Buffer, word: Buffer): boolean {
  for (let i = 0; i < word.length; i++) {
    const b = name[i]!;
    if ((b >= 0x41 && b <= 0x5a ? b | 0x20 : b) !== word[i]) return false;
  }
  return true;
}

/**
 * A TLS client on the plain port: its first bytes are a handshake record (content type 22, then
 * version 3.x). Read as an inline command it would wait for a line end that never comes, and the
 * client would wait for the server's hello: both would hang. The connection closes at once instead.
 */
export function isTlsHandshake(first: Buffer): boolean {
  return first.length >= 2 && first[0] === 0x16 && first[1] === 0x03;
}
