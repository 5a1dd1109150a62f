// Listening on a port and host, resolving with the address as a URL: the REST server and the SQS
// port do it the same way.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

export function listenOn(server: Server, port: number, host: string): Promise<{ host: string; port: number; url: string }> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const a = server.address() as AddressInfo;
      const h = a.family === "IPv6" ? `[${a.address}]` : a.address;
      resolve({ host: a.address, port: a.port, url: `http://${h}:${a.port}` });
    });
  });
}
