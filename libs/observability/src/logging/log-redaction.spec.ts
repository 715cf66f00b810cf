import { loadAppConfig } from '@bot/config';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { configuredSecrets } from './log-redaction';

describe('configuredSecrets', () => {
  it('collects every credential of the config by its key name, the encryption keys and the database password', () => {
    const key = randomBytes(32);
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const config = loadAppConfig('oauth-service', {
      cwd: tmpdir(),
      env: {
        NODE_ENV: 'test',
        DATABASE_URL: 'postgres://bot:db-p%40ssword-123@db:5432/bot',
        TOKEN_ENCRYPTION_KEY: key.toString('base64url'),
        ADMIN_API_KEY: 'admin-key-0123456789abcdef',
        SERVICE_API_KEY: 'service-key-0123456789abcdef',
        GITHUB_APP_ID: '1',
        GITHUB_APP_NAME: 'bot',
        GITHUB_PRIVATE_KEY: pem,
        GITHUB_CLIENT_SECRET: 'gh-client-secret-1',
        GITHUB_WEBHOOK_SECRET: 'gh-webhook-secret-1',
        SLACK_CLIENT_ID: '1.2',
        SLACK_CLIENT_SECRET: 'slack-client-secret-1',
        SLACK_SIGNING_SECRET: 'slack-signing-secret-1',
        JIRA_CLIENT_ID: 'jira',
        JIRA_CLIENT_SECRET: 'jira-client-secret-1',
        GITHUB_TOKEN: 'ghp_legacy_token_1',
        METRICS_TOKEN: 'metrics-token-0123456789',
      },
    });
    const secrets = configuredSecrets(config);
    for (const expected of [
      'admin-key-0123456789abcdef',
      'service-key-0123456789abcdef',
      pem,
      'gh-client-secret-1',
      'gh-webhook-secret-1',
      'slack-client-secret-1',
      'slack-signing-secret-1',
      'jira-client-secret-1',
      'ghp_legacy_token_1',
      'metrics-token-0123456789',
      key.toString('base64'),
      key.toString('base64url'),
      'db-p@ssword-123',
    ]) {
      expect(secrets).toContain(expected);
    }
    expect(secrets).not.toContain(config.baseUrl);
    expect(secrets).not.toContain('bot');
  });
});
