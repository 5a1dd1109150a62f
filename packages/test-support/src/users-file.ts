// A users file for the tests (--users): real scrypt hashes, at the lowest cost the file accepts
// (ln=10) so that a test's logins take milliseconds, written where the test says; rewrite it and
// send SIGHUP (or call reload()) to change the users of a running server.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { hashPassword } from "@tinyqs/core/security";
import { makeTestCerts, type TestCerts } from "./certs.js";

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

/**
 * Take a user out of the file, keeping everyone else's hash as it is (a new hash of the same
 * password would count as a changed password, and cut that user too).
 */
export function removeUser(file: string, name: string): void {
  const json = JSON.parse(readFileSync(file, "utf8")) as { users: Array<{ name: string }> };
  json.users = json.users.filter((u) => u.name !== name);
  writeFileSync(file, JSON.stringify(json));
}

/** The bins' TLS-and-users tests: throwaway certificates and a users file, `producer` sending to and `worker` receiving from `bin.*`. */
export async function binSecurityFixture(): Promise<{ certs: TestCerts; usersFile: string }> {
  const certs = makeTestCerts();
  const usersFile = await writeUsersFile(path.join(certs.dir, "users.json"), [
    { name: "producer", password: "p-pass", grants: [{ queues: "bin.*", allow: ["send"] }] },
    { name: "worker", password: "w-pass", grants: [{ queues: "bin.*", allow: ["receive"] }] },
  ]);
  return { certs, usersFile };
}

/**
 * The operator tests' users file (pause, redrive, delete a queue need `admin`), in a new temp dir:
 * `worker` (password w-pass) may send and receive on `jobs.*`, `operator` (o-pass) administer it.
 */
export async function operatorUsersFile(): Promise<string> {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "tinyqs-ops-users-")), "users.json");
  return writeUsersFile(file, [
    { name: "worker", password: "w-pass", grants: [{ queues: "jobs.*", allow: ["send", "receive"] }] },
    { name: "operator", password: "o-pass", grants: [{ queues: "jobs.*", allow: ["admin"] }] },
  ]);
}
