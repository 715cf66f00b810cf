import { loadAppConfig } from '@bot/config';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { createAppLogger } from './app-logger';
import { NestPinoLogger } from './nest-pino.logger';

const KEY = randomBytes(32).toString('base64url');
const config = loadAppConfig('github-api', {
  cwd: tmpdir(),
  env: { NODE_ENV: 'test', TOKEN_ENCRYPTION_KEY: KEY, ADMIN_API_KEY: 'admin-key-0123456789abcdef', SERVICE_API_KEY: 'service-key-0123456789abcdef', LOG_LEVEL: 'debug' },
});

function capture(): { lines: string[]; destination: { write(line: string): void } } {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

describe('createAppLogger', () => {
  it('writes JSON lines with the level name, an ISO time and the app', () => {
    const { lines, destination } = capture();
    createAppLogger(config, { destination }).info({ installationId: 'abc' }, 'hello');
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'info', app: 'github-api', installationId: 'abc', msg: 'hello', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });

  it('redacts credential fields wherever they sit in a logged object', () => {
    const { lines, destination } = capture();
    createAppLogger(config, { destination }).warn(
      { authorization: 'Bearer abc', headers: { authorization: 'token xyz', cookie: 's=1' }, body: { client_secret: 'cs', code: 'oauth-code' }, grant: { refresh_token: 'rt' }, code: 'installation_revoked' },
      'refused',
    );
    const line = JSON.parse(lines[0]);
    expect(line).toMatchObject({
      authorization: '[REDACTED]',
      headers: { authorization: '[REDACTED]', cookie: '[REDACTED]' },
      body: { client_secret: '[REDACTED]', code: '[REDACTED]' },
      grant: { refresh_token: '[REDACTED]' },
      // An error code is not an OAuth code.
      code: 'installation_revoked',
    });
  });

  it('scrubs configured secrets and token-shaped strings out of message texts', () => {
    const { lines, destination } = capture();
    const logger = createAppLogger(config, { destination });
    logger.error(`calling with ${config.serviceApiKey} and key ${KEY}`);
    logger.warn('upstream said: Bearer ghs_abcdefghijklmnopqrstuvwxyz0123 is bad; refresh xoxe-1-abcdefghijkl failed');
    logger.info('callback https://bot.example/oauth/callback/jira?code=abc123def&state=s7a7e-value');
    const text = lines.join('');
    for (const secret of [config.serviceApiKey, KEY, 'ghs_abcdefghijklmnopqrstuvwxyz0123', 'xoxe-1-abcdefghijkl', 'abc123def', 's7a7e-value']) expect(text).not.toContain(secret);
    expect(JSON.parse(lines[2]).msg).toBe('callback https://bot.example/oauth/callback/jira?code=[REDACTED]&state=[REDACTED]');
  });

  it("routes Nest's Logger calls through pino with their context, Nest's wiring chatter at debug, and error stacks as err", () => {
    const { lines, destination } = capture();
    const nest = new NestPinoLogger(createAppLogger(config, { destination }));
    nest.log('listening', 'Bootstrap');
    nest.log('AppModule dependencies initialized', 'InstanceLoader');
    nest.error('boom', 'Error: boom\n    at somewhere (file.ts:1:1)', 'ExceptionsHandler');
    nest.warn({ msg: 'structured', installationId: 'i-1' }, 'TokenService');
    const parsed = lines.map((line) => JSON.parse(line));
    expect(parsed[0]).toMatchObject({ level: 'info', context: 'Bootstrap', msg: 'listening' });
    expect(parsed[1]).toMatchObject({ level: 'debug', context: 'InstanceLoader' });
    expect(parsed[2]).toMatchObject({ level: 'error', context: 'ExceptionsHandler', err: { message: 'boom', stack: expect.stringContaining('at somewhere') } });
    expect(parsed[3]).toMatchObject({ level: 'warn', context: 'TokenService', msg: 'structured', installationId: 'i-1' });
  });
});
