// Draws docs/dashboard.png, the README's picture of the dashboard, from the demo data: a gateway in this process on a
// temporary SQLite file, the demo sessions stored as `trenchcoat demo` stores them, a fresh key pasted into the
// dashboard in Chromium (1280×800, light scheme), the overview photographed once its cards and charts are drawn.
// The demo data and the browser's clock share one fixed instant, and the browser a fixed locale and time zone, so a
// re-run draws the same picture (up to the machine's fonts).
// Run: node dashboard/build.mjs && node --import tsx docs/screenshot.ts   (needs Chromium: /usr/bin/chromium or CHROMIUM_PATH)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { storeDemoData } from '../src/cli/demo-command.js';
import { loadConfig } from '../src/config.js';
import { startGateway } from '../src/gateway.js';
import { createLogger } from '../src/log/logger.js';

const OUT = fileURLToPath(new URL('dashboard.png', import.meta.url));
const DASHBOARD_DIR = fileURLToPath(new URL('../dist/dashboard', import.meta.url));
const CHROMIUM = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';
/** "Now" for the demo data and the page: a weekday afternoon, so the last 30 days hold the demo's two weeks. */
const NOW = Date.parse('2025-06-18T15:00:00Z');
const VIEWPORT = { width: 1280, height: 800 };
const WAIT_MS = 30_000;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'trenchcoat-screenshot-'));
  const config = loadConfig({ port: '0', host: '127.0.0.1', db: join(dir, 'demo.db') }, {
    TRENCHCOAT_DASHBOARD: 'on',
    TRENCHCOAT_DASHBOARD_DIR: DASHBOARD_DIR,
  });
  const gateway = await startGateway(config, { logger: createLogger('silent') });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    await storeDemoData(gateway, NOW);
    const { key } = await gateway.keys.create({ account: 'demo', scopes: ['read:analytics'], name: 'screenshot' });
    const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'UTC', colorScheme: 'light' });
    const page = await context.newPage();
    await page.clock.setFixedTime(NOW);
    await page.goto(`${gateway.url}/dashboard/`, { timeout: WAIT_MS });
    await page.getByLabel('API key', { exact: true }).fill(key);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.locator('[data-stat="cost"]').waitFor({ timeout: WAIT_MS });
    await page.locator('#cost-per-day-title').waitFor({ timeout: WAIT_MS });
    await page.locator('.top-tools li').first().waitFor({ timeout: WAIT_MS });
    // Focus lands on <main> after the key is taken; the picture shows no focus ring.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.screenshot({ path: OUT, animations: 'disabled', caret: 'hide' });
    process.stdout.write(`${OUT}\n`);
  } finally {
    await browser.close();
    await gateway.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshot: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
