// `tinyqs-http hash-password` / `tinyqs-tcp hash-password`: reads a password from stdin (the first
// line, so `read -rs PW; printf %s "$PW" | tinyqs-http hash-password` keeps it out of `ps` and the
// shell history) and prints its hash for the users file.
import { hashPassword } from "./passwords.js";

export async function hashPasswordCommand(name: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<number> {
  let text = "";
  for await (const chunk of stdin) text += String(chunk);
  const password = text.split(/\r?\n/)[0] ?? "";
  if (password === "") {
    process.stderr.write(`${name} hash-password: give the password on stdin, e.g.\n  read -rs PW; printf %s "$PW" | ${name} hash-password\n`);
    return 2;
  }
  process.stdout.write(`${await hashPassword(password)}\n`);
  return 0;
}
