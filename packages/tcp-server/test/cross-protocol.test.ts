// The cross-protocol guard: an HTTP request sent to the TCP port (by curl, by fetch, by a browser a
// web page drives) closes the connection at once and runs nothing, its body included.
import { execFile } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { RawClient, req, sleep, startServer, uniqueQueue, type Running } from "./helpers.js";

let s: Running;
const logged: unknown[][] = [];
const spies: Array<ReturnType<typeof vi.spyOn>> = [];
beforeAll(async () => {
  s = await startServer();
  for (const level of ["log", "warn", "error"] as const) spies.push(vi.spyOn(console, level).mockImplementation((...a: unknown[]) => void logged.push(a)));
});
afterEach(() => {
  expect(logged).toEqual([]); // nothing noisy
});
afterAll(async () => {
  spies.forEach((sp) => sp.mockRestore());
  await s.server.close();
});

const stored = async (q: string) => {
  const st = await s.server.engine.stats(q);
  return st.ready + st.delayed + st.inFlight + st.sent;
};

function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("curl", ["-sS", "--max-time", "5", ...args], { timeout: 10_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as NodeJS.ErrnoException & { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("an HTTP request to the TCP port", () => {
  it("curl -X POST with inline commands as the body: the connection closes, nothing is stored", async () => {
    const q = uniqueQueue("http");
    const r = await curl(["-X", "POST", `http://127.0.0.1:${s.port}/`, "--data-binary", `SEND ${q} x\r\n`]);
    expect(r.code).toBe(52); // curl: "Empty reply from server"
    expect(r.stdout).toBe("");
    await sleep(100);
    expect(await stored(q)).toBe(0);
  });

  it("fetch() POST and GET: the request fails (closed, no reply), nothing is stored", async () => {
    const q = uniqueQueue("http");
    const body = `SEND ${q} x\r\n${req("SEND", q, "y").toString()}`;
    await expect(fetch(`http://127.0.0.1:${s.port}/`, { method: "POST", body, headers: { "content-type": "text/plain" } })).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${s.port}/?q=${q}`)).rejects.toThrow();
    await sleep(100);
    expect(await stored(q)).toBe(0);
  });

  it("raw bytes: the words in any case, anywhere in the connection; what came before is answered, nothing after runs", async () => {
    const q = uniqueQueue("http");
    for (const line of ["POST / HTTP/1.1", "post /x HTTP/1.0", "GET / HTTP/1.1", "Host: 127.0.0.1", "HOST: x", "host:"]) {
      const k = await RawClient.connect(s.port);
      k.write(`PING\r\n${line}\r\nContent-Length: 10\r\n\r\nSEND ${q} x\r\n${req("SEND", q, "y").toString()}`);
      expect(await k.rest(), line).toBe("+PONG\r\n");
    }
    // A request split over two reads: the second is never read.
    const k = await RawClient.connect(s.port);
    k.write("POST / HTTP/1.1\r\n");
    await sleep(20);
    k.write(`\r\nSEND ${q} x\r\n`);
    expect(await k.rest()).toBe("");
    await sleep(100);
    expect(await stored(q)).toBe(0);
  });

  it("inside MULTI too: closed, nothing queued runs", async () => {
    const q = uniqueQueue("http");
    const k = await RawClient.connect(s.port);
    k.write(Buffer.concat([req("MULTI"), req("SEND", q, "a"), req("POST", "/"), req("EXEC")]));
    expect(await k.rest()).toBe("+OK\r\n+QUEUED\r\n");
    await sleep(100);
    expect(await stored(q)).toBe(0);
  });

  it("a word that only starts like one is an ordinary unknown command; the server stays up for others", async () => {
    const k = await RawClient.connect(s.port);
    try {
      expect(await k.call("POSTS\r\n")).toBe("-ERR unknown command 'POSTS', with args beginning with: \r\n");
      expect(await k.call("HOST\r\n")).toBe("-ERR unknown command 'HOST', with args beginning with: \r\n");
      expect(await k.call(req("PING"))).toBe("+PONG\r\n");
    } finally {
      k.destroy();
    }
  });
});
