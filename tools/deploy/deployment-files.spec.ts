import { APP_NAMES, DEFAULT_PORTS, environmentVariableNames } from '@bot/config';
import { WORKSPACE_ROOT } from '@bot/testing';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const read = (path: string) => readFileSync(join(WORKSPACE_ROOT, path), 'utf8');

const SPEC_VARIABLES = [
  'PORT', 'BASE_URL', 'DATABASE_URL', 'GITHUB_APP_ID', 'GITHUB_APP_NAME', 'GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET',
  'GITHUB_PRIVATE_KEY', 'GITHUB_WEBHOOK_SECRET', 'SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_SIGNING_SECRET',
  'SLACK_STATE_SECRET', 'JIRA_CLIENT_ID', 'JIRA_CLIENT_SECRET', 'TOKEN_ENCRYPTION_KEY', 'TOKEN_ENCRYPTION_PREVIOUS_KEYS',
  'GITHUB_BASE_URL', 'GITHUB_API_BASE_URL', 'SLACK_BASE_URL', 'ATLASSIAN_AUTH_BASE_URL', 'ATLASSIAN_API_BASE_URL',
  'ADMIN_API_KEY', 'SERVICE_API_KEY',
];
const LEGACY_VARIABLES = ['GITHUB_TOKEN', 'SLACK_BOT_TOKEN', 'JIRA_API_TOKEN', 'JIRA_BASE_URL', 'JIRA_EMAIL'];

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  ports?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
}

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };

  it('runs PostgreSQL and all five apps', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['postgres', ...APP_NAMES].sort());
    expect(compose.services['postgres'].image).toMatch(/^postgres:/);
  });

  it.each(APP_NAMES)('%s: its own Dockerfile, SPEC port, every SPEC variable, waits for a healthy database', (app) => {
    const service = compose.services[app];
    expect(service.build).toEqual({ context: '.', dockerfile: `apps/${app}/Dockerfile` });
    expect(existsSync(join(WORKSPACE_ROOT, service.build!.dockerfile))).toBe(true);
    expect(service.ports).toEqual([`${DEFAULT_PORTS[app]}:${DEFAULT_PORTS[app]}`]);
    expect(service.environment?.['PORT']).toBe(DEFAULT_PORTS[app]);
    expect(service.environment?.['NODE_ENV']).toBe('production');
    expect(service.environment?.['DATABASE_URL']).toMatch(/^postgres:\/\/.+@postgres:5432\//);
    for (const name of SPEC_VARIABLES) expect(Object.keys(service.environment ?? {})).toContain(name);
    if (app.endsWith('-api')) {
      for (const name of LEGACY_VARIABLES) expect(Object.keys(service.environment ?? {})).toContain(name);
    }
    expect(service.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });
});

describe.each(APP_NAMES)('apps/%s/Dockerfile', (app) => {
  const dockerfile = read(`apps/${app}/Dockerfile`);

  it('is multi-stage, built from the Nx build output, and runs as a non-root user', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toContain(`npx nx build ${app}`);
    expect(dockerfile).toContain(`COPY --from=build /workspace/dist/apps/${app}/ ./`);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toContain(`EXPOSE ${DEFAULT_PORTS[app]}`);
    expect(dockerfile).toMatch(/^CMD \["node", "main.js"\]$/m);
  });
});

describe('.env.example', () => {
  it('lists every variable the config reads', () => {
    const listed = read('.env.example')
      .split('\n')
      .filter((line) => /^[A-Z0-9_]+=/.test(line))
      .map((line) => line.split('=')[0]);
    expect(listed.sort()).toEqual(environmentVariableNames().sort());
    for (const name of [...SPEC_VARIABLES, ...LEGACY_VARIABLES]) expect(listed).toContain(name);
  });
});
