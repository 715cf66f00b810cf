// Runs ESM-only SDKs (e.g. @octokit/rest 22, jira.js 6) for the CommonJS Jest tests, in a plain `node` process:
// Jest's module VM cannot `import()` without --experimental-vm-modules. Started by esm-sdk-host.ts.
//
// Protocol: one JSON object per line on stdin, one answer per line on stdout, matched by `id`.
//   { id, op: 'load', module, from? }                     import a module (resolved from package `from` if given)
//   { id, op: 'create', name, module, factory, construct?, options }
//                                                         name = new factory(options) (or factory(options))
//   { id, op: 'call', name, method, args }                await name.<method path>(...args); an argument
//                                                         { $method: 'a.b' } stands for the client's function a.b
// Answers: { id, ok: true, value } or { id, ok: false, error: { name, message, status, prototypes, instanceOf,
// predicates, response, body } }, where instanceOf names the loaded modules' exported classes the error is an
// instance of and predicates their exported is…Error functions that accept it.
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const modules = new Map();
const clients = new Map();

async function load(specifier, from) {
  if (!modules.has(specifier)) {
    // `from`: resolved as that package's own dependency (its nested copy when npm could not hoist it).
    const target = from ? pathToFileURL(createRequire(fileURLToPath(import.meta.resolve(from))).resolve(specifier)).href : specifier;
    modules.set(specifier, await import(target));
  }
  return modules.get(specifier);
}

/** The function at `path` on `root` and the object that holds it. */
function resolveMethod(root, path) {
  const parts = path.split('.');
  let holder = root;
  for (const part of parts.slice(0, -1)) holder = holder?.[part];
  const fn = holder?.[parts.at(-1)];
  if (typeof fn !== 'function') throw new TypeError(`${path} is not a function on this client`);
  return { holder, fn };
}

function plain(value) {
  return value === undefined ? null : JSON.parse(JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? String(v) : v)));
}

function describeError(error) {
  const prototypes = [];
  for (let proto = Object.getPrototypeOf(error); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    prototypes.push(proto.constructor?.name);
  }
  const instanceOf = new Set();
  const predicates = new Set();
  for (const namespace of modules.values()) {
    for (const [exportName, exported] of Object.entries(namespace)) {
      if (typeof exported !== 'function') continue;
      if (/^is[A-Z]\w*Error$/.test(exportName)) {
        if (exported(error) === true) predicates.add(exportName);
      } else if (exported.prototype && error instanceof exported) {
        instanceOf.add(exportName);
      }
    }
  }
  const response = error?.response;
  return {
    name: error?.name,
    message: String(error?.message ?? error),
    status: error?.status,
    prototypes,
    instanceOf: [...instanceOf].sort(),
    predicates: [...predicates].sort(),
    response: response ? plain({ status: response.status, url: response.url, headers: response.headers, data: response.data }) : null,
    body: error?.body === undefined ? null : plain(error.body),
  };
}

async function handle(message) {
  switch (message.op) {
    case 'load':
      return Object.keys(await load(message.module, message.from));
    case 'create': {
      const namespace = await load(message.module, message.from);
      const factory = namespace[message.factory];
      if (typeof factory !== 'function') throw new TypeError(`${message.module} exports no ${message.factory}`);
      clients.set(message.name, message.construct ? new factory(message.options) : factory(message.options));
      return null;
    }
    case 'call': {
      const client = clients.get(message.name);
      if (!client) throw new Error(`no client named ${message.name}`);
      // A method passed as an argument keeps its own properties (Octokit's paginate reads `endpoint` from it).
      const args = (message.args ?? []).map((arg) => (arg && typeof arg === 'object' && typeof arg.$method === 'string' ? resolveMethod(client, arg.$method).fn : arg));
      const { holder, fn } = resolveMethod(client, message.method);
      return plain(await fn.apply(holder, args));
    }
    default:
      throw new Error(`unknown op ${message.op}`);
  }
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (!line.trim()) return;
  const message = JSON.parse(line);
  handle(message).then(
    (value) => process.stdout.write(`${JSON.stringify({ id: message.id, ok: true, value })}\n`),
    (error) => process.stdout.write(`${JSON.stringify({ id: message.id, ok: false, error: describeError(error) })}\n`),
  );
});
lines.on('close', () => process.exit(0));
