// Debian's chromium (apt-get install chromium; scripts/setup.sh installs it), driven by
// playwright-core, never a downloaded browser build. One browser per test file, an empty profile of
// its own (removed on close); each page collects the console errors and page errors it sees.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env.TINYQS_CHROMIUM ?? "/usr/bin/chromium";

const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export interface Browser {
  /**
   * A new tab, the tabs opened before it closed (each holds a live stream, and a browser opens at
   * most 6 connections to one server over HTTP/1.1); `problems` fills with its console errors and
   * uncaught page errors.
   */
  open(url: string): Promise<{ page: Page; problems: string[] }>;
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 1360, height: 900 }): Promise<Browser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), "tinyqs-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  return {
    async open(url) {
      await Promise.all(context.pages().map((p) => p.close()));
      const page = await context.newPage();
      page.setDefaultTimeout(5000); // a page that never shows what a test waits for fails in seconds, with its reason
      const problems: string[] = [];
      page.on("console", (m) => void (m.type() === "error" && problems.push(`console: ${m.text()}`)));
      page.on("pageerror", (e) => void problems.push(`pageerror: ${e.message}`));
      await page.goto(url);
      return { page, problems };
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
