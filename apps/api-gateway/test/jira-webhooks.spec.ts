import { signJiraWebhookJwt } from '@bot/platform-jira';
import { randomUUID } from 'node:crypto';
import { GatewayHarness, JIRA_CLIENT_SECRET, json, startGateway } from './support/api-gateway.harness';

const CLOUD_ID = '2f3c8e1a-0b9d-4c6e-9f1a-7d2b5c8e4a10';
const SITE = 'https://acme.atlassian.net';

/** `jira:issue_created` as Jira Cloud sends it (trimmed to the fields the docs show). */
function issueCreated(site = SITE) {
  return {
    timestamp: 1714000000000,
    webhookEvent: 'jira:issue_created',
    issue_event_type_name: 'issue_created',
    user: { self: `${site}/rest/api/2/user?accountId=5b10a2844c20165700ede21g`, accountId: '5b10a2844c20165700ede21g', displayName: 'Octavia Chen' },
    issue: {
      id: '10001',
      self: `${site}/rest/api/2/10001`,
      key: 'PROJ-42',
      fields: { summary: 'Add deterministic replay', status: { name: 'To Do' }, issuetype: { name: 'Story' }, project: { id: '10000', key: 'PROJ', self: `${site}/rest/api/2/project/10000` } },
    },
    matchedWebhookIds: [1],
  };
}

/** `comment_created`, whose `self` links sit on the comment and its issue. */
function commentCreated(site = SITE) {
  return {
    timestamp: 1714000005000,
    webhookEvent: 'comment_created',
    comment: {
      self: `${site}/rest/api/2/issue/10001/comment/10100`,
      id: '10100',
      author: { accountId: '5b10a2844c20165700ede21g', displayName: 'Octavia Chen' },
      body: 'Looks good to me',
      created: '2024-04-25T10:00:05.000+0000',
    },
    issue: { id: '10001', self: `${site}/rest/api/2/10001`, key: 'PROJ-42', fields: { summary: 'Add deterministic replay' } },
  };
}

describe('POST /webhooks/jira', () => {
  let gateway: GatewayHarness;
  let site: string;

  beforeAll(async () => {
    gateway = await startGateway();
    site = (await gateway.addInstallation({ platform: 'jira', externalOrgId: CLOUD_ID, externalInstallId: null, metadata: { url: SITE } })).id;
  });
  afterAll(() => gateway?.close());
  beforeEach(() => gateway.sql('DELETE FROM webhook_tasks'));

  describe('dynamic webhooks of the OAuth 2.0 app (JWT)', () => {
    it('routes issue and comment events by the site in their self links', async () => {
      const issue = issueCreated();
      const first = await gateway.jira(issue, { identifier: 'f5b2c0d4-1111-4e7a-9b0c-000000000001' });
      expect(first.status).toBe(200);
      expect(await json(first)).toEqual({ ok: true, duplicate: false, task_id: expect.any(String) });
      await gateway.jira(commentCreated());
      expect(await gateway.tasks()).toEqual([
        expect.objectContaining({ queue: 'jira', installation_id: site, external_org_id: CLOUD_ID, event_type: 'jira:issue_created', action: 'issue_created', delivery_id: 'f5b2c0d4-1111-4e7a-9b0c-000000000001', payload: issue }),
        expect.objectContaining({ installation_id: site, event_type: 'comment_created', action: null, delivery_id: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) }),
      ]);
    });

    it('routes self links through api.atlassian.com by cloud id, and an unknown site to no installation', async () => {
      await gateway.jira(issueCreated(`https://api.atlassian.com/ex/jira/${CLOUD_ID}`));
      await gateway.jira(issueCreated('https://elsewhere.atlassian.net'));
      expect((await gateway.tasks()).map((task) => task.installation_id)).toEqual([site, null]);
    });

    it('deduplicates by X-Atlassian-Webhook-Identifier, or by the body when Jira sends none', async () => {
      const identifier = randomUUID();
      await Promise.all(Array.from({ length: 20 }, () => gateway.jira(issueCreated(), { identifier })));
      await gateway.jira(commentCreated());
      await gateway.jira(commentCreated());
      expect(await gateway.tasks()).toHaveLength(2);
    });

    const now = () => Math.floor(Date.now() / 1000);
    it.each([
      ['no Authorization header', { authorization: null }],
      ['a token signed with another secret', { secret: 'not-the-client-secret' }],
      ['an expired token', { claims: { iss: 'jira', iat: now() - 600, exp: now() - 300 } }],
      ['a token without exp', { claims: { iss: 'jira', iat: now() } }],
      ['an unsigned (alg none) token', { authorization: `Bearer ${signJiraWebhookJwt(JIRA_CLIENT_SECRET, { exp: now() + 60 }, { alg: 'none' }).replace(/\.[^.]+$/, '.')}x` }],
      ['a shared-secret Basic header', { authorization: 'Basic amlyYTpzZWNyZXQ=' }],
    ])('%s is a 401 and queues nothing', async (_label, options) => {
      const response = await gateway.jira(issueCreated(), options);
      expect(response.status).toBe(401);
      expect((await json(response)).error.code).toBe('invalid_signature');
      expect(await gateway.tasks()).toEqual([]);
    });

    it('malformed JSON behind a valid token is a 400', async () => {
      const response = await gateway.jira('{"webhookEvent": ');
      expect(response.status).toBe(400);
      expect(await gateway.tasks()).toEqual([]);
    });
  });

  describe('admin webhooks with the installation secret (POST /webhooks/jira/:installationId)', () => {
    let admin: string;
    const secret = 'per-installation-webhook-secret';
    beforeAll(async () => {
      admin = (await gateway.addInstallation({ platform: 'jira', externalOrgId: randomUUID(), externalInstallId: null, metadata: { url: 'https://admin.atlassian.net' }, webhookSecret: secret })).id;
    });

    it('verifies X-Hub-Signature with that installation’s own secret and routes by the path', async () => {
      const response = await gateway.jiraAdmin(admin, commentCreated('https://admin.atlassian.net'), { secret });
      expect(response.status).toBe(200);
      expect(await gateway.tasks()).toEqual([expect.objectContaining({ installation_id: admin, event_type: 'comment_created' })]);
    });

    it('refuses the wrong secret, a missing signature, another installation’s path, unknown and malformed ids, all alike', async () => {
      const payload = commentCreated('https://admin.atlassian.net');
      const answers = [
        await gateway.jiraAdmin(admin, payload, { secret: 'wrong-secret' }),
        await gateway.jiraAdmin(admin, payload, { secret, signature: null }),
        await gateway.jiraAdmin(site, payload, { secret }), // exists, but has no webhook secret
        await gateway.jiraAdmin(randomUUID(), payload, { secret }),
        await gateway.jiraAdmin('not-a-uuid', payload, { secret }),
      ];
      expect(answers.map((response) => response.status)).toEqual([401, 401, 401, 401, 401]);
      expect(await gateway.tasks()).toEqual([]);
    });

    it('refuses a revoked installation (its secret is erased)', async () => {
      const revoked = await gateway.addInstallation({ platform: 'jira', externalOrgId: randomUUID(), externalInstallId: null, webhookSecret: secret });
      await gateway.sql(`UPDATE installations SET status = 'revoked', revoked_at = now() WHERE id = $1`, [revoked.id]);
      expect((await gateway.jiraAdmin(revoked.id, issueCreated(), { secret })).status).toBe(401);
    });
  });
});
