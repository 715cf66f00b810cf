// A bare reference proxy for the pass-through benchmark: what forwarding costs with nothing else around it. It
// checks the service key (plain string compare), takes the token from a Map by X-Installation-Id, drops the
// hop-by-hop and our own headers both ways, and forwards to one upstream, either with `node:http` and a
// keep-alive Agent or with an undici Pool. No routing, no path checks, no audit, no error shapes: the apps are
// measured against it.
//
// Arguments: <http|undici> <port> <upstream base URL> <service key> <installation id>=<token> ...
import { Agent, createServer, IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, request, ServerResponse } from 'node:http';
import { Pool } from 'undici';

const [kind, portArg, upstreamArg, serviceKey, ...pairs] = process.argv.slice(2);
const upstream = new URL(upstreamArg);
const tokens = new Map(pairs.map((pair) => pair.split('=') as [string, string]));
const DROPPED = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'authorization', 'x-installation-id']);

function outgoing(incoming: IncomingHttpHeaders, token: string): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const name in incoming) if (!DROPPED.has(name)) headers[name] = incoming[name];
  headers['authorization'] = `Bearer ${token}`;
  return headers;
}

function answerHeaders(incoming: IncomingHttpHeaders): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const name in incoming) if (!DROPPED.has(name)) headers[name] = incoming[name];
  return headers;
}

function refuse(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end('{"message":"refused"}');
}

function tokenFor(req: IncomingMessage): string | undefined {
  if (req.headers.authorization !== `Bearer ${serviceKey}` && req.headers.authorization !== `token ${serviceKey}`) return undefined;
  return tokens.get(String(req.headers['x-installation-id']));
}

function httpProxy(): (req: IncomingMessage, res: ServerResponse) => void {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  return (req, res) => {
    const token = tokenFor(req);
    if (!token) return refuse(res, 401);
    const upstreamRequest = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: outgoing(req.headers, token), agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answerHeaders(answer.headers));
        answer.pipe(res);
      },
    );
    upstreamRequest.once('error', () => refuse(res, 502));
    req.pipe(upstreamRequest);
  };
}

function undiciProxy(): (req: IncomingMessage, res: ServerResponse) => void {
  const pool = new Pool(upstream.origin, { connections: 256, pipelining: 1 });
  return (req, res) => {
    const token = tokenFor(req);
    if (!token) return refuse(res, 401);
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    pool.request({ path: req.url ?? '/', method: req.method as 'GET', headers: outgoing(req.headers, token) as Record<string, string>, body: hasBody ? req : undefined }).then(
      async (answer) => {
        res.writeHead(answer.statusCode, answerHeaders(answer.headers as IncomingHttpHeaders));
        for await (const chunk of answer.body) res.write(chunk);
        res.end();
      },
      () => refuse(res, 502),
    );
  };
}

const server = createServer(kind === 'undici' ? undiciProxy() : httpProxy());
server.keepAliveTimeout = 60_000;
server.listen(Number(portArg), '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as { port: number }).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
