import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, Browser } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, describeWithChromium, WORKSPACE_ROOT } from '@bot/testing';
import { OAuthServiceHarness, startOAuthService } from './support/oauth-service.harness';

const OUTPUT = join(WORKSPACE_ROOT, 'test-output', 'oauth-service');

describeWithChromium('a person installing from the landing page (headless Chromium)', () => {
  let h: OAuthServiceHarness;
  let browser: Browser;

  beforeAll(async () => {
    h = await startOAuthService();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h.close();
  });

  it('clicks "Add to Slack" and lands on the success page', async () => {
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

  it('clicks "Add to Sentry": the state rides in a cookie through Sentry\'s install page and back', async () => {
    const page = await browser.newPage();
    await page.goto(`${h.url}/`);
    expect(await page.getByRole('link').allTextContents()).toEqual(['Add to GitHub', 'Add to Slack', 'Add to Jira', 'Add to Sentry']);
    await page.getByRole('link', { name: 'Add to Sentry' }).click();
    await page.waitForURL(/\/oauth\/callback\/sentry\?code=/);
    await page.getByRole('heading', { name: 'Installed in Sentry' }).waitFor();
    await page.screenshot({ path: join(OUTPUT, 'add-to-sentry-success.png') });
    expect(await page.textContent('main')).toContain('sandbox-org');
    expect(await h.sql(`SELECT external_org_id, status FROM installations WHERE platform = 'sentry'`)).toEqual([{ external_org_id: 'sandbox-org', status: 'active' }]);
    // The browser sent the cookie back: the state it named was consumed, and the cookie is gone.
    expect(await h.sql(`SELECT state FROM oauth_states WHERE platform = 'sentry'`)).toEqual([]);
    expect((await page.context().cookies()).filter((cookie) => cookie.name === 'oauth_state_sentry')).toEqual([]);
  }, 60_000);
});
