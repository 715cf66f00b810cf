import { CHROMIUM_ARGS, CHROMIUM_PATH, describeWithChromium, TEST_ADMIN_API_KEY, WORKSPACE_ROOT } from '@bot/testing';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { seedDeadTask, seedInstallations } from './support/console.harness';
import { json, OAuthServiceHarness, startOAuthService } from './support/oauth-service.harness';

const OUTPUT = join(WORKSPACE_ROOT, 'test-output', 'oauth-service', 'console');

describeWithChromium('an operator using the console in headless Chromium', () => {
  let h: OAuthServiceHarness;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  let slackId: string;
  let deadTaskId: string;

  const shot = (name: string, fullPage = true) => page.screenshot({ path: join(OUTPUT, `${name}.png`), fullPage });

  beforeAll(async () => {
    h = await startOAuthService();
    slackId = (await json(h.callback(await h.approve('slack', { fake_team: 'T0CONSOLE1' })))).installation_id;
    await json(h.callback(await h.approve('github', { fake_account: 'octo-console' })));
    await json(h.callback(await h.approve('jira', { fake_site: 'console' })));
    await seedInstallations(h, 120, 'acme');
    // A name that would run script if it were not escaped.
    await h.sql(`UPDATE installations SET external_org_name = $1 WHERE external_org_name = 'acme-org-0005'`, ['<img src=x onerror=alert(1)> acme-0005']);
    deadTaskId = await seedDeadTask(h, { installationId: slackId, queue: 'slack', eventType: 'message' });
    await seedDeadTask(h, { queue: 'github', eventType: 'issues' });
    mkdirSync(OUTPUT, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    // Any CSP violation, script error or dialog (an escaped value that ran) fails the test.
    // A refused sign-in is a 401 document and a forged form a 403: Chromium logs those, and they are expected.
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 40[13]/.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await h.close();
  });

  afterEach(() => expect(problems.splice(0)).toEqual([]));

  it('is sent to the sign-in page, refused with a wrong key, and signs in with the admin key', async () => {
    await page.goto(`${h.url}/admin/installations?platform=slack`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shot('01-sign-in');

    await page.getByLabel('Admin API key').fill('not-the-admin-key-0123456789');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('not the admin API key');
    await shot('02-sign-in-wrong-key');

    await page.getByLabel('Admin API key').fill(TEST_ADMIN_API_KEY);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Installations', level: 1 }).waitFor();
    // Back where the operator was going, filter included.
    expect(page.url()).toBe(`${h.url}/admin/installations?platform=slack`);
    const cookie = (await context.cookies()).find((c) => c.name === 'bot_admin_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin' });
  }, 60_000);

  it('shows counts, filters by platform and status, searches by org and pages', async () => {
    await page.goto(`${h.url}/admin/installations`);
    await shot('03-installations');
    const counts = page.getByRole('table', { name: 'Installations per platform and status' });
    expect(await counts.getByRole('row', { name: /^all/ }).getByRole('cell').last().textContent()).toBe('123');
    expect(await page.locator('body').textContent()).toContain('<img src=x onerror=alert(1)> acme-0005');

    await page.getByLabel('Platform', { exact: true }).selectOption('jira');
    await page.getByLabel('Status', { exact: true }).selectOption('needs_reinstall');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/platform=jira&status=needs_reinstall/);
    const rows = page.locator('table.cards:not(.counts) tbody tr');
    expect(await rows.count()).toBe(4);
    for (const text of await rows.allTextContents()) expect(text).toMatch(/jira[\s\S]*needs reinstall/);
    await shot('04-installations-filtered');

    await page.goto(`${h.url}/admin/installations`);
    await page.getByRole('searchbox', { name: 'Organisation' }).fill('ACME-ORG-011');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/q=ACME-ORG-011/);
    // Newest first: the seeded rows are a minute apart, 0110 the newest of these.
    expect(await page.locator('table.cards:not(.counts) tbody tr').allTextContents()).toEqual(
      Array.from({ length: 10 }, (_, i) => expect.stringContaining(`acme-org-011${i}`)),
    );

    await page.goto(`${h.url}/admin/installations`);
    await page.getByRole('link', { name: 'Older →' }).click();
    await page.getByRole('link', { name: '← Newer' }).waitFor();
    expect(await page.locator('table.cards:not(.counts) tbody tr').count()).toBe(50);
    await page.getByRole('link', { name: 'Older →' }).click();
    expect(await page.locator('table.cards:not(.counts) tbody tr').count()).toBe(23);
    expect(await page.getByRole('link', { name: 'Older →' }).count()).toBe(0);
    await page.getByRole('link', { name: '← Newer' }).click();
    expect(await page.locator('table.cards:not(.counts) tbody tr').count()).toBe(50);
  }, 60_000);

  it('opens an installation, copies its re-install link, revokes it behind a confirm step and sees the audit entry', async () => {
    await page.goto(`${h.url}/admin/installations?platform=slack&q=T0CONSOLE1`);
    await page.getByRole('link', { name: /T0CONSOLE1|Workspace/ }).first().click();
    await page.getByRole('heading', { name: 'Audit trail' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/admin/installations/${slackId}`);
    const text = (await page.locator('main').textContent()) as string;
    expect(text).toContain('installation.installed');
    for (const token of h.sandbox.slack.botTokens.keys()) expect(await page.content()).not.toContain(token);
    expect(await page.content()).not.toMatch(/enc:v1:|xox[a-z]-/);
    await shot('05-installation');

    await page.getByRole('link', { name: 'Revoke…' }).click();
    await page.getByRole('heading', { name: /^Revoke / }).waitFor();
    await shot('06-revoke-confirm');
    await page.getByRole('button', { name: 'Revoke installation' }).click();
    await page.getByRole('status').filter({ hasText: 'was revoked' }).waitFor();
    const audit = page.getByRole('table', { name: /Audit events/ });
    expect(await audit.locator('tbody tr').first().textContent()).toContain('installation.revoked');
    expect(await page.getByRole('link', { name: 'Revoke…' }).count()).toBe(0);

    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.url });
    await page.getByRole('button', { name: 'Copy link' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(`${h.url}/oauth/install/slack`);
    await shot('07-installation-revoked');

    const [row] = await h.sql('SELECT status, access_token FROM installations WHERE id = $1', [slackId]);
    expect(row).toEqual({ status: 'revoked', access_token: null });
    // The console's revoke is the admin API's revoke: Slack was asked to revoke the token.
    expect(h.sandbox.slack.callsTo('POST /api/auth.revoke')).toHaveLength(1);
  }, 60_000);

  it('sees the webhook queue, opens a dead letter and requeues it', async () => {
    await page.goto(`${h.url}/admin/webhooks`);
    await page.getByRole('heading', { name: 'Dead letters' }).waitFor();
    await shot('08-webhook-queue');
    await page.getByRole('link', { name: `#${deadTaskId}` }).click();
    await page.getByRole('heading', { name: 'Payload' }).waitFor();
    expect(await page.locator('pre[aria-label="Payload"]').textContent()).toContain('"title": "Crash on start"');
    await shot('09-webhook-task');
    await page.getByRole('button', { name: 'Requeue this task' }).click();
    await page.getByRole('status').filter({ hasText: 'back in the queue' }).waitFor();
    const [task] = await h.sql('SELECT status, attempts FROM webhook_tasks WHERE id = $1', [deadTaskId]);
    expect(task).toEqual({ status: 'pending', attempts: 0 });
    await shot('10-webhook-task-requeued');
  }, 60_000);

  it('shows the health events page', async () => {
    await page.goto(`${h.url}/admin/events`);
    await page.getByRole('heading', { name: 'Health events', level: 1 }).waitFor();
    await shot('11-health-events');
  }, 60_000);

  it('is readable at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${h.url}/admin/installations`);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot('12-phone-installations', false);
    await page.locator('table.cards tbody tr').first().scrollIntoViewIfNeeded();
    await shot('12b-phone-installations-rows', false);
    await page.goto(`${h.url}/admin/installations/${slackId}`);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot('13-phone-installation', false);
    await page.goto(`${h.url}/admin/webhooks`);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot('14-phone-webhook-queue', false);
    await page.setViewportSize({ width: 1280, height: 900 });
  }, 60_000);

  it('refuses a form without the CSRF token, then signs out', async () => {
    const [github] = await h.sql<{ id: string }>(`SELECT id FROM installations WHERE external_org_name = 'octo-console'`);
    const forged = await context.request.post(`${h.url}/admin/installations/${github.id}/revoke`, { form: {}, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain('CSRF');
    expect((await h.sql('SELECT status FROM installations WHERE id = $1', [github.id]))[0]).toEqual({ status: 'active' });

    await page.goto(`${h.url}/admin/installations`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out.').waitFor();
    await shot('15-signed-out');
    expect((await context.cookies()).find((c) => c.name === 'bot_admin_session')).toBeUndefined();
    await page.goto(`${h.url}/admin/webhooks`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
  }, 60_000);
});
