/**
 * A real browser for the console's tests: Debian's Chromium
 * (/usr/bin/chromium, which .ci/run installs with apt-get when missing;
 * LARDER_CHROMIUM overrides the path), driven headless by playwright-core
 * with a fresh profile that is removed afterwards. No browser is ever
 * downloaded (never `npx playwright install`).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.LARDER_CHROMIUM ?? "/usr/bin/chromium";

/** Where failing tests leave a screenshot (git-ignored). */
export const SCREENSHOTS = join(import.meta.dirname, "../../.vitest/console-screenshots");

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser {
  context: BrowserContext;
  close: () => Promise<void>;
}

/** Starts Chromium with a fresh --user-data-dir (Playwright passes it for a persistent context). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium) or set LARDER_CHROMIUM`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), "larder-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
    locale: "en-US",
    timezoneId: "UTC",
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A screenshot of `page` named after the test, in SCREENSHOTS; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, `${name.replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 100)}.png`);
  await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
  return file;
}
