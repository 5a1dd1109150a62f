// Listening on a port and host, resolving with the address as a URL: the REST server and the SQS
// port do it the same way.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/** `scheme`: "https" for a TLS server (the URL says how to reach it). */
export function listenOn(server: Server, port: number, host: string, scheme: "http" | "https" = "http"): Promise<{ host: string; port: number; url: string }> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const a = server.address() as AddressInfo;
      const h = a.family === "IPv6" ? `[${a.address}]` : a.address;
      resolve({ host: a.address, port: a.port, url: `${scheme}://${h}:${a.port}` });
    });
  });
}
