// A users file for the tests (--users): real scrypt hashes, at the lowest cost the file accepts
// (ln=10) so that a test's logins take milliseconds, written where the test says; rewrite it and
// send SIGHUP (or call reload()) to change the users of a running server.
import { writeFileSync } from "node:fs";
import { hashPassword } from "@tinyqs/core/security";

export interface TestUser {
  name: string;
  password: string;
  grants: Array<{ queues: string; allow: Array<"send" | "receive" | "admin"> }>;
}

export async function writeUsersFile(file: string, users: readonly TestUser[]): Promise<string> {
  const entries = await Promise.all(
    users.map(async (u) => ({ name: u.name, password: await hashPassword(u.password, 10), grants: u.grants })),
  );
  writeFileSync(file, JSON.stringify({ users: entries }, null, 2));
  return file;
}
