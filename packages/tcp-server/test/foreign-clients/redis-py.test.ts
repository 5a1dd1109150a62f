// redis-py from Debian (python3-redis, installed by scripts/setup.sh) against a real tinyqs: the
// script redis_py_client.py does send/receive/touch/delete, a pipeline(transaction=False), the
// default pipeline() (MULTI … EXEC) and client_info() with default options, and prints what it saw. That redis-py (4.3.4) speaks RESP2 only; a redis-py 5 or
// later on the machine is also driven with protocol=3.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, uniqueQueue, type Running } from "../helpers.js";

const execFileP = promisify(execFile);
const SCRIPT = fileURLToPath(new URL("./redis_py_client.py", import.meta.url));

let s: Running;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.server.close());

describe("redis-py (Debian) with default options", () => {
  it("send, receive, touch, delete, STATS and a pipeline; with protocol=3 too where that redis-py has it", async () => {
    const q = uniqueQueue("py");
    const { stdout } = await execFileP("/usr/bin/python3", [SCRIPT, String(s.port), q], { timeout: 20_000 });
    const r = JSON.parse(stdout);
    expectVerbs(r.default);
    if (r.has_protocol_option) {
      expect(expectVerbs(r.resp2)).toBe(2);
      expect(expectVerbs(r.resp3)).toBe(3);
    } else {
      expect(r.version).toMatch(/^4\./); // Debian's 4.3.4: protocol= (RESP3) came in redis-py 5
      expect(r.default.hello.slice(0, 6)).toEqual(["server", "tinyqs", "version", expect.any(String), "proto", 2]);
    }
  });
});

/** What drive() in redis_py_client.py saw, against what tinyqs answers; returns the protocol it spoke. */
function expectVerbs(r: Record<string, any>): number {
  // HELLO's map: a flat list in RESP2, a dict in RESP3; STATS likewise.
  const proto = Array.isArray(r.hello) ? r.hello[r.hello.indexOf("proto") + 1] : r.hello.proto;
  const counts = { ready: 0, inFlight: 0, delayed: 0, sent: 1, received: 1, deleted: 1, deadLettered: 0, deduplicated: 0, paused: 0, oldestReadyAgeMs: null };
  expect(r.ping).toBe(true);
  expect(r.empty).toBeNull();
  expect(r.id).toMatch(/^\d+-1$/);
  const sentAt = Number(r.id.split("-")[0]);
  const body = Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString("latin1");
  expect(r.peek).toEqual([r.id, null, body, 0, sentAt]);
  expect(r.received).toEqual([r.id, `${r.id}.1`, body, 1, sentAt]);
  expect(r.body_exact).toBe(true);
  expect([r.touch, r.delete, r.delete_again]).toEqual([1, 1, 0]);
  expect(r.stats).toEqual(proto === 3 ? counts : Object.entries(counts).flat());
  expect(r.pipeline_ids.map((id: string) => Number(id.split("-")[1]))).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
  expect(r.pipeline_bodies).toEqual(Array.from({ length: 20 }, (_, i) => `p${i}`));
  expect(r.pipeline_touch_delete).toEqual(Array(40).fill(1));
  // The default pipeline() is a transaction: MULTI, +QUEUED each, EXEC's array.
  expect(r.multi_ids.map((id: string) => Number(id.split("-")[1]))).toEqual([22, 23]);
  expect(r.multi_bodies).toEqual(["t1", "t2"]);
  expect(r.multi_deleted).toEqual([1, 1]);
  expect(r.client_info).toMatchObject({ db: 0, qbuf: 0, omem: 0, "tot-mem": 0, multi: -1 });
  expect(Number.isInteger(r.client_info.id)).toBe(true);
  return proto;
}
