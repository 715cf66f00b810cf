import { Installation } from '@bot/installations';
import { FakeAtlassian, FakeJiraSite, JiraWebhookRegistrar, JiraWebhookRenewalJob, jiraSite } from '@bot/platform-jira';
import { freePort } from '@bot/testing';
import { GatewayHarness, JIRA_CLIENT_SECRET, startGateway } from './support/api-gateway.harness';

const DAY = 24 * 3600_000;
const REFRESH = 'PUT /ex/jira/:cloudId/rest/api/3/webhook/refresh';
const REGISTER = 'POST /ex/jira/:cloudId/rest/api/3/webhook';
const LIST = 'GET /ex/jira/:cloudId/rest/api/3/webhook';

/**
 * api-gateway's Jira webhook renewal job against the Atlassian fake: refresh before expiry, re-register what Jira
 * lost (due or not), back off on failure, re-queue failed deliveries through the live dedupe, and one runner across
 * replicas.
 */
describe('Jira dynamic webhook renewal (api-gateway job)', () => {
  let fake: FakeAtlassian;
  let gateway: GatewayHarness;
  let registrar: JiraWebhookRegistrar;
  let job: JiraWebhookRenewalJob;

  beforeAll(async () => {
    fake = await new FakeAtlassian({ clientId: 'jira-client-id', clientSecret: JIRA_CLIENT_SECRET, deliveryRetryDelaysMs: [10] }).start();
    const port = await freePort();
    gateway = await startGateway({ ATLASSIAN_AUTH_BASE_URL: fake.url, ATLASSIAN_API_BASE_URL: fake.url, WEBHOOK_PUBLIC_BASE_URL: `http://127.0.0.1:${port}` }, { port });
    registrar = gateway.app.get(JiraWebhookRegistrar);
    job = gateway.app.get(JiraWebhookRenewalJob);
  });
  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
  });

  /** A Jira site installed here (tokens from the fake) with its webhooks registered through the registrar. */
  const registeredSite = async (name: string): Promise<{ row: Installation; site: FakeJiraSite; ids: number[] }> => {
    const grant = fake.grant([jiraSite(name)]);
    const row = await gateway.addInstallation({
      platform: 'jira',
      externalOrgId: grant.sites[0].id,
      externalOrgName: name,
      externalInstallId: null,
      accessToken: grant.accessToken,
      refreshToken: grant.refreshToken,
      tokenExpiresAt: new Date(Date.now() + 3600_000),
      metadata: { url: grant.sites[0].url },
    });
    const report = await registrar.register(row);
    expect(report).toMatchObject({ ok: true });
    return { row, site: grant.sites[0], ids: fake.webhooksOf(grant.sites[0]).map((webhook) => webhook.id) };
  };
  /** Sets the expiry both at the fake and in the row, as if the registration had been made long ago. */
  const expireIn = async (registered: { row: Installation; ids: number[] }, ms: number) => {
    const at = new Date(Date.now() + ms);
    for (const id of registered.ids) fake.setWebhookExpiry(id, at);
    await gateway.sql(`UPDATE webhook_registrations SET expires_at = $2 WHERE installation_id = $1`, [registered.row.id, at]);
  };
  const registration = async (id: string) => (await gateway.sql(`SELECT * FROM webhook_registrations WHERE installation_id = $1`, [id]))[0];
  const audit = (id: string, event: string) => gateway.sql(`SELECT detail FROM audit_events WHERE installation_id = $1 AND event = $2 ORDER BY id`, [id, event]);
  const callsFor = (route: string, site: FakeJiraSite) => fake.callsTo(route).filter((call) => call.path.startsWith(`/ex/jira/${site.id}/`));
  // Each test starts from registrations that are not due, so only its own sites are.
  const settle = () => gateway.sql(`UPDATE webhook_registrations SET expires_at = now() + interval '25 days', status = 'active', retry_at = NULL, failures = 0`);

  beforeEach(settle);

  it('refreshes the registration expiring in 6 days and leaves the one expiring in 20', async () => {
    const soon = await registeredSite('renew-soon');
    const later = await registeredSite('renew-later');
    await expireIn(soon, 6 * DAY);
    await expireIn(later, 20 * DAY);

    const run = await job.runOnce();
    expect(run).toMatchObject({ ran: true, refreshed: 1, reregistered: 0, failed: 0 });
    expect(callsFor(REFRESH, soon.site).map((call) => call.body)).toEqual([{ webhookIds: soon.ids }]);
    expect(callsFor(REFRESH, later.site)).toEqual([]);

    const refreshed = await registration(soon.row.id);
    expect(new Date(refreshed['expires_at'] as string).getTime() - Date.now()).toBeGreaterThan(29 * DAY);
    expect(refreshed).toMatchObject({ status: 'active', failures: 0, external_ids: soon.ids });
    expect(new Date((await registration(later.row.id))['expires_at'] as string).getTime() - Date.now()).toBeLessThan(21 * DAY);
    expect(await audit(soon.row.id, 'jira.webhook.refreshed')).toEqual([{ detail: expect.objectContaining({ webhook_ids: soon.ids }) }]);
    expect(await audit(later.row.id, 'jira.webhook.refreshed')).toEqual([]);
  });

  it('re-creates a registration Jira no longer knows', async () => {
    const lost = await registeredSite('renew-lost');
    await expireIn(lost, 6 * DAY);
    fake.forgetWebhook(lost.ids[0]);
    const registrationsBefore = callsFor(REGISTER, lost.site).length;

    expect(await job.runOnce()).toMatchObject({ ran: true, reregistered: 1 });
    expect(callsFor(REGISTER, lost.site)).toHaveLength(registrationsBefore + 1);
    const now = fake.webhooksOf(lost.site).map((webhook) => webhook.id);
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(lost.ids[0]);
    expect(await registration(lost.row.id)).toMatchObject({ status: 'active', external_ids: now });
    expect(await audit(lost.row.id, 'jira.webhook.reregistered')).toEqual([{ detail: expect.objectContaining({ lost_webhook_ids: lost.ids, webhook_ids: now }) }]);
  });

  it('re-registers a registration 20 days from expiry that Jira no longer knows and leaves a known one alone', async () => {
    const lost = await registeredSite('check-lost');
    const known = await registeredSite('check-known');
    const soon = await registeredSite('check-due');
    await expireIn(lost, 20 * DAY);
    await expireIn(known, 20 * DAY);
    await expireIn(soon, 6 * DAY);
    fake.forgetWebhook(lost.ids[0]);
    const registrationsBefore = callsFor(REGISTER, lost.site).length;
    const knownListsBefore = callsFor(LIST, known.site).length;
    const dueListsBefore = callsFor(LIST, soon.site).length;

    expect(await job.runOnce()).toMatchObject({ ran: true, refreshed: 1, reregistered: 1, failed: 0, unchecked: 0 });

    // The lost one is registered again, on the same path (and with the same audit event) as a due one.
    expect(callsFor(REGISTER, lost.site)).toHaveLength(registrationsBefore + 1);
    const now = fake.webhooksOf(lost.site).map((webhook) => webhook.id);
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(lost.ids[0]);
    const reregistered = await registration(lost.row.id);
    expect(reregistered).toMatchObject({ status: 'active', failures: 0, last_error: null, external_ids: now });
    expect(new Date(reregistered['expires_at'] as string).getTime() - Date.now()).toBeGreaterThan(29 * DAY);
    expect(await audit(lost.row.id, 'jira.webhook.reregistered')).toEqual([{ detail: expect.objectContaining({ lost_webhook_ids: lost.ids, webhook_ids: now }) }]);
    expect(callsFor(REFRESH, lost.site)).toEqual([]);

    // The known one was listed once and nothing else: no refresh, no new registration, the row as it was.
    expect(callsFor(LIST, known.site)).toHaveLength(knownListsBefore + 1);
    expect(callsFor(REFRESH, known.site)).toEqual([]);
    expect(fake.webhooksOf(known.site).map((webhook) => webhook.id)).toEqual(known.ids);
    const untouched = await registration(known.row.id);
    expect(untouched).toMatchObject({ status: 'active', external_ids: known.ids });
    expect(new Date(untouched['expires_at'] as string).getTime() - Date.now()).toBeLessThan(21 * DAY);
    expect(await audit(known.row.id, 'jira.webhook.refreshed')).toEqual([]);
    expect(await audit(known.row.id, 'jira.webhook.reregistered')).toEqual([]);

    // The due one is refreshed and listed once in the round, not a second time by the check.
    expect(callsFor(REFRESH, soon.site)).toHaveLength(1);
    expect(callsFor(LIST, soon.site)).toHaveLength(dueListsBefore + 1);
  });

  it('a lost registration 20 days from expiry whose re-registration fails shows as failing and is retried with backoff', async () => {
    const lost = await registeredSite('check-lost-failing');
    await expireIn(lost, 20 * DAY);
    fake.forgetWebhook(lost.ids[0]);
    fake.failNext(REGISTER, { status: 503, body: { errorMessages: ['Service unavailable'], errors: {} } });

    expect(await job.runOnce()).toMatchObject({ ran: true, reregistered: 0, failed: 1 });
    const failed = await registration(lost.row.id);
    expect(failed).toMatchObject({ status: 'failing', failures: 1, last_error: expect.stringMatching(/renew failed: Jira webhook registration failed with HTTP 503/) });
    expect(await audit(lost.row.id, 'jira.webhook.renewal_failed')).toEqual([{ detail: expect.objectContaining({ operation: 'renew', failures: 1 }) }]);

    // While it backs off, no round asks Jira about it; after its retry time the due path registers it again.
    const listsSoFar = callsFor(LIST, lost.site).length;
    await job.runOnce();
    expect(callsFor(LIST, lost.site)).toHaveLength(listsSoFar);
    await gateway.sql(`UPDATE webhook_registrations SET retry_at = now() - interval '1 second' WHERE installation_id = $1`, [lost.row.id]);
    expect(await job.runOnce()).toMatchObject({ reregistered: 1 });
    expect(await registration(lost.row.id)).toMatchObject({ status: 'active', failures: 0, last_error: null, external_ids: fake.webhooksOf(lost.site).map((webhook) => webhook.id) });
  });

  it('a site whose webhook list cannot be read is left as it is and asked again next round', async () => {
    const unreadable = await registeredSite('check-unreadable');
    await expireIn(unreadable, 20 * DAY);
    // Nothing is due (see settle), so the round lists each site once; every list fails (503), whichever order.
    const sites = (await gateway.sql(`SELECT count(*)::int AS n FROM webhook_registrations`))[0]['n'] as number;
    fake.failNext(LIST, { status: 503, body: { errorMessages: ['Service unavailable'], errors: {} } }, sites);
    const failuresBefore = (await gateway.sql(`SELECT count(*)::int AS n FROM audit_events WHERE event = 'jira.webhook.renewal_failed'`))[0]['n'];

    expect(await job.runOnce()).toMatchObject({ ran: true, unchecked: sites, known: 0, reregistered: 0, failed: 0 });
    expect(await registration(unreadable.row.id)).toMatchObject({ status: 'active', failures: 0, last_error: null, retry_at: null, external_ids: unreadable.ids });
    expect((await gateway.sql(`SELECT count(*)::int AS n FROM audit_events WHERE event = 'jira.webhook.renewal_failed'`))[0]['n']).toBe(failuresBefore);
    expect(callsFor(REFRESH, unreadable.site)).toEqual([]);

    const listsSoFar = callsFor(LIST, unreadable.site).length;
    expect(await job.runOnce()).toMatchObject({ ran: true, unchecked: 0, known: sites });
    expect(callsFor(LIST, unreadable.site)).toHaveLength(listsSoFar + 1);
  });

  it('a failed renewal is retried with backoff and shows on the registration', async () => {
    const failing = await registeredSite('renew-failing');
    await expireIn(failing, 5 * DAY);
    fake.failNext(REFRESH, { status: 503, body: { errorMessages: ['Service unavailable'], errors: {} } });

    expect(await job.runOnce()).toMatchObject({ ran: true, failed: 1 });
    const failed = await registration(failing.row.id);
    expect(failed).toMatchObject({ status: 'failing', failures: 1, last_error: expect.stringMatching(/renew failed: Jira webhook refresh failed with HTTP 503/) });
    const retryIn = new Date(failed['retry_at'] as string).getTime() - Date.now();
    expect(retryIn).toBeGreaterThan(4 * 60_000);
    expect(retryIn).toBeLessThanOrEqual(5 * 60_000);
    expect(await audit(failing.row.id, 'jira.webhook.renewal_failed')).toEqual([{ detail: expect.objectContaining({ operation: 'renew', failures: 1 }) }]);

    // Before its retry time the job leaves it alone; after it, the retry succeeds and clears the failure.
    const refreshesSoFar = callsFor(REFRESH, failing.site).length;
    await job.runOnce();
    expect(callsFor(REFRESH, failing.site)).toHaveLength(refreshesSoFar);
    await gateway.sql(`UPDATE webhook_registrations SET retry_at = now() - interval '1 second' WHERE installation_id = $1`, [failing.row.id]);
    expect(await job.runOnce()).toMatchObject({ refreshed: 1 });
    expect(await registration(failing.row.id)).toMatchObject({ status: 'active', failures: 0, last_error: null, retry_at: null });
  });

  it('re-queues what Jira failed to deliver through the live dedupe: each delivery once', async () => {
    const recovering = await registeredSite('recover-site');
    const payload = (key: string) => ({
      timestamp: Date.now(),
      webhookEvent: 'jira:issue_updated',
      issue_event_type_name: 'issue_updated',
      issue: { id: '10001', key, self: `${recovering.site.url}/rest/api/3/issue/10001`, fields: { summary: 'x' } },
    });
    // One delivery did arrive live; Jira still lists it as failed (its retries timed out on the way back).
    const live = await gateway.jira(payload('SBX-1'), { identifier: 'c1f1e4a0-0000-4000-8000-000000000001' });
    expect(live.status).toBe(200);
    fake.recordFailedDelivery(recovering.site, { id: 'c1f1e4a0-0000-4000-8000-000000000001', url: `${gateway.url}/webhooks/jira`, body: JSON.stringify(payload('SBX-1')), failureTime: Date.now() - 3000 });
    fake.recordFailedDelivery(recovering.site, { id: 'c1f1e4a0-0000-4000-8000-000000000002', url: `${gateway.url}/webhooks/jira`, body: JSON.stringify(payload('SBX-2')), failureTime: Date.now() - 2000 });
    fake.recordFailedDelivery(recovering.site, { id: 'c1f1e4a0-0000-4000-8000-000000000003', url: `${gateway.url}/webhooks/jira`, failureTime: Date.now() - 1000 });

    const tasks = () => gateway.sql<{ delivery_id: string; installation_id: string }>(`SELECT delivery_id, installation_id FROM webhook_tasks WHERE delivery_id LIKE 'c1f1e4a0-%' ORDER BY id`);
    expect(await job.runOnce()).toMatchObject({ ran: true, requeued: 1, duplicates: 1 });
    expect(await tasks()).toEqual([
      { delivery_id: 'c1f1e4a0-0000-4000-8000-000000000001', installation_id: recovering.row.id },
      { delivery_id: 'c1f1e4a0-0000-4000-8000-000000000002', installation_id: recovering.row.id },
    ]);
    expect(await audit(recovering.row.id, 'jira.webhook.failed_requeued')).toEqual([{ detail: expect.objectContaining({ reported: 3, requeued: 1, duplicates: 1, without_body: 1 }) }]);

    // The next round asks only for failures after the cursor, and even a re-read would be a duplicate.
    await job.runOnce();
    expect(callsFor('GET /ex/jira/:cloudId/rest/api/3/webhook/failed', recovering.site).at(-1)?.query['after']).toBe(String(fake.failedWebhooks.at(-1)!.failureTime));
    await gateway.sql(`UPDATE webhook_registrations SET failed_cursor = NULL WHERE installation_id = $1`, [recovering.row.id]);
    expect(await job.runOnce()).toMatchObject({ requeued: 0, duplicates: 2 });
    expect(await tasks()).toHaveLength(2);
  });

  it('two replicas running the job at once do the work once (advisory lock)', async () => {
    const contested = await registeredSite('renew-contested');
    await expireIn(contested, 6 * DAY);
    const replica = await startGateway({ ATLASSIAN_AUTH_BASE_URL: fake.url, ATLASSIAN_API_BASE_URL: fake.url, WEBHOOK_PUBLIC_BASE_URL: gateway.config.webhookPublicBaseUrl }, { database: gateway.database });
    try {
      // A slow refresh keeps the first runner inside its round while the second one starts.
      fake.failNext(REFRESH, { delayMs: 600 });
      const runs = await Promise.all([job.runOnce(), replica.app.get(JiraWebhookRenewalJob).runOnce()]);
      expect(runs.map((run) => run.ran).sort()).toEqual([false, true]);
      expect(callsFor(REFRESH, contested.site)).toHaveLength(1);
      expect(await audit(contested.row.id, 'jira.webhook.refreshed')).toHaveLength(1);
    } finally {
      await replica.close();
    }
  });
});
