// @tinyqs/core/security: what both servers (and any listener added later) share to guard a port:
// TLS from PEM files with reload, the users file with scrypt hashes and per-queue grants, the one
// Access object a server asks "who is this, may they do that", the failed-login limiter, and the
// hash-password command. It opens nothing by itself and loads no Redis client.
export { Access, OPEN_ACCESS, can, mayRedriveInto, visibleQueues, type AccessOptions, type LoginResult, type Principal } from "./access.js";
export { ALL_QUEUES, PERMISSIONS, administersAll, administersAny, allows, globMatcher, makeGrant, type Grant, type Permission } from "./grants.js";
export { hashPasswordCommand } from "./hash-password.js";
export { LoginLimiter, type LoginLimitOptions } from "./login-limit.js";
export { hashPassword, parsePasswordHash, verifyPassword } from "./passwords.js";
export { CLIENT_AUTH_MODES, clientCertificateRefusal, readSecureContext, reloadTls, serverTlsOptions, type TlsFiles } from "./tls.js";
export { parseUsers, readUsersFile, type UserEntry } from "./users.js";
