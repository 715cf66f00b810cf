import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, Browser } from 'playwright-core';
import { WORKSPACE_ROOT } from '@bot/testing';
import { OAuthServiceHarness, startOAuthService } from './support/oauth-service.harness';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = join(WORKSPACE_ROOT, 'test-output', 'oauth-service');

describe('a person installing from the landing page (headless Chromium)', () => {
  let h: OAuthServiceHarness;
  let browser: Browser | undefined;

  beforeAll(async () => {
    h = await startOAuthService();
    if (existsSync(CHROMIUM)) {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
      });
    }
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h.close();
  });

  it('clicks "Add to Slack" and lands on the success page', async () => {
    if (!browser) {
      console.warn(`Chromium is not installed at ${CHROMIUM} (apt-get install chromium); the browser test did not run.`);
      return;
    }
    mkdirSync(OUTPUT, { recursive: true });
    const page = await browser.newPage();
    await page.goto(`${h.url}/`);
    await page.screenshot({ path: join(OUTPUT, 'landing.png') });
    await page.getByRole('link', { name: 'Add to Slack' }).click();
    await page.waitForURL(/\/oauth\/callback\/slack/);
    await page.getByRole('heading', { name: 'Installed in Slack' }).waitFor();
    await page.screenshot({ path: join(OUTPUT, 'add-to-slack-success.png') });
    expect(await page.textContent('main')).toContain('Workspace T0SANDBOX1');
    const rows = await h.sql(`SELECT platform, external_org_id, status FROM installations`);
    expect(rows).toEqual([{ platform: 'slack', external_org_id: 'T0SANDBOX1', status: 'active' }]);
    expect(existsSync(join(OUTPUT, 'add-to-slack-success.png'))).toBe(true);
  }, 60_000);
});
