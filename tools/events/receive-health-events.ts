// Example receiver of installation health events: verifies each delivery and prints it once.
//   npm run events:receive -- [--port=9900] [--secret-file=path]
// The secret is the file's content (an endpoint registered with POST /oauth/event-endpoints), else
// EVENT_WEBHOOK_SECRET (endpoints of EVENT_WEBHOOK_URLS). Point an endpoint at http://<host>:<port>/.
import { ConfigError, loadAppConfig } from '@bot/config';
import { readFileSync } from 'node:fs';
import { createHealthEventReceiver } from './health-event-receiver';

function flag(name: string): string | undefined {
  return process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function secret(): string {
  const file = flag('secret-file');
  if (file) return readFileSync(file, 'utf8').trim();
  const configured = loadAppConfig('oauth-service').eventWebhooks.secret;
  if (!configured) throw new Error('no secret: pass --secret-file=<file holding the endpoint secret> or set EVENT_WEBHOOK_SECRET');
  return configured;
}

function main(): void {
  const port = Number(flag('port') ?? 9900);
  const server = createHealthEventReceiver({
    secret: secret(),
    onEvent: (event) =>
      console.log(`${event.occurred_at} ${event.type} ${event.platform ?? '-'} installation=${event.installation_id ?? '-'} org=${event.org.name ?? event.org.id ?? '-'} ${JSON.stringify(event.data)}`),
    onRefused: (reason) => console.error(`[receiver] refused a delivery: ${reason}`),
  });
  server.listen(port, () => console.log(`[receiver] listening on http://localhost:${port}/ (Ctrl-C to stop)`));
  process.once('SIGINT', () => server.close(() => process.exit(0)));
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

try {
  main();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `receive-health-events failed: ${(error as Error).message}`);
  process.exit(1);
}
