// A stand-in platform API for the pass-through benchmark: answers every request with a small GitHub-sized JSON
// body after an optional delay (real platform APIs answer in tens to hundreds of milliseconds).
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 0);
const latencyMs = Number(process.argv[3] ?? 0);
const body = JSON.stringify({
  id: 1296269,
  node_id: 'MDEwOlJlcG9zaXRvcnkxMjk2MjY5',
  name: 'demo',
  full_name: 'octo/demo',
  private: false,
  owner: { login: 'octo', id: 1, type: 'Organization' },
  default_branch: 'main',
  topics: ['bot', 'benchmark'],
});

const server = createServer((req, res) => {
  req.resume();
  const answer = () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-ratelimit-remaining': '4999' });
    res.end(body);
  };
  if (latencyMs > 0) setTimeout(answer, latencyMs);
  else answer();
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`listening ${address.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
