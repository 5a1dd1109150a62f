// --tls-client-auth optional on the HTTPS port: a client that sent a certificate the CA does not
// vouch for is cut right after the handshake (one that sent none goes on). "require" is enforced
// by the handshake itself.
import type { TLSSocket } from "node:tls";
import { clientCertificateRefusal, type TlsFiles } from "@tinyqs/core/security";

export function tlsClientRefusal(socket: TLSSocket, files: TlsFiles, log: (line: string) => void): void {
  const refusal = clientCertificateRefusal(socket, files);
  if (!refusal) return;
  log(`tinyqs-http: ${refusal} (from ${socket.remoteAddress})`);
  socket.destroy();
}
