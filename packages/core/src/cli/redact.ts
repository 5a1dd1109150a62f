// Redis URLs fit to print: start-up lines and warnings name the Redis in use, never its password.

/** The URL as given, with its password (if any) replaced by ***; a string that is no URL, as is. */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  if (!u.password) return url;
  u.password = "***";
  const shown = u.toString();
  // URL may add a "/" the user did not write; print it as written.
  return shown.endsWith("/") && !url.endsWith("/") ? shown.slice(0, -1) : shown;
}
