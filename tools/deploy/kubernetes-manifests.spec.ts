import { APP_NAMES, AppName, ConfigError, DEFAULT_PORTS, environmentVariableNames, loadAppConfig } from '@bot/config';
import { newEncryptionKey, WORKSPACE_ROOT } from '@bot/testing';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

const madeDirs: string[] = [];
/** An empty working directory for loadAppConfig (its `.data/`), removed after the file's tests. */
const emptyCwd = () => {
  const dir = mkdtempSync(join(tmpdir(), 'bot-k8s-env-'));
  madeDirs.push(dir);
  return dir;
};
afterAll(() => madeDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

// Shapes of the rendered objects, as far as these tests read them.
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; configMapKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
}
interface PodSpec {
  containers: Container[];
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, string>;
  spec?: Record<string, unknown> & {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> } & Record<string, string>;
    template?: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}

const K8S_DIR = join(WORKSPACE_ROOT, 'deploy', 'k8s');
const API_APPS: AppName[] = APP_NAMES.filter((app) => app.endsWith('-api'));
const PUBLIC_APPS: AppName[] = ['oauth-service', 'api-gateway'];
const AGENT_LABEL = 'bot.example.com/api-client';

function kubectl(): string {
  const candidate = process.env['KUBECTL'] ?? 'kubectl';
  try {
    execFileSync(candidate, ['version', '--client'], { stdio: 'ignore' });
    return candidate;
  } catch {
    throw new Error(`kubectl is needed to render deploy/k8s (none at "${candidate}"): run tools/deploy/install-kubectl.sh, as .ci/run does`);
  }
}

/** `kubectl kustomize` of one overlay (a folder under deploy/k8s, or an absolute path), offline, parsed into objects. */
function render(overlay: string): K8sObject[] {
  const yaml = execFileSync(kubectl(), ['kustomize', resolve(K8S_DIR, overlay)], { encoding: 'utf8' });
  return parseAllDocuments(yaml).map((document) => document.toJSON() as K8sObject);
}

/** The model class of kubernetes-models for an object, e.g. `kubernetes-models/apps/v1/Deployment`. */
function modelFor(object: K8sObject): { new (data: unknown): { validate(): void } } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(`kubernetes-models/${object.apiVersion}/${object.kind}`) as Record<string, { new (data: unknown): { validate(): void } }>;
  return module[object.kind];
}

const find = (objects: K8sObject[], kind: string, name: string) => objects.find((object) => object.kind === kind && object.metadata.name === name);
const get = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const object = find(objects, kind, name);
  if (!object) throw new Error(`no ${kind} ${name} in the rendered manifests`);
  return object;
};
/** The object's spec (every rendered object these tests read has one). */
const specOf = (object: K8sObject) => {
  if (!object.spec) throw new Error(`${object.kind} ${object.metadata.name} has no spec`);
  return object.spec;
};
const templateOf = (workload: K8sObject) => {
  const template = specOf(workload).template;
  if (!template) throw new Error(`${workload.kind} ${workload.metadata.name} has no pod template`);
  return template;
};
const container = (workload: K8sObject): Container => templateOf(workload).spec.containers[0];
const configOf = (objects: K8sObject[]) => {
  const config = objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name.startsWith('bot-config-'));
  if (!config?.data) throw new Error('no bot-config ConfigMap');
  return config.data;
};
const secretLike = (name: string) => /(_SECRET|_KEY|_KEYS|_TOKEN|PASSWORD)$/.test(name) || name === 'DATABASE_URL' || name === 'REDIS_URL';

/** A valid value for each Secret key the manifests require, as an operator would put in `bot-secrets`. */
function secretValue(key: string): string {
  if (key === 'TOKEN_ENCRYPTION_KEY') return newEncryptionKey();
  if (key === 'DATABASE_URL') return 'postgres://bot:secret@postgres.bot.svc:5432/bot';
  return `${key.toLowerCase()}-0123456789abcdef0123456789`;
}

/**
 * The environment a container of `workload` starts with: literal values, ConfigMap keys (envFrom and
 * configMapKeyRef, from the rendered ConfigMaps), and for each required Secret key a valid value. Optional
 * Secret keys are left out: the operator may not have set them.
 */
function environmentOf(objects: K8sObject[], workload: K8sObject, omit: string[] = []): Record<string, string> {
  const target = container(workload);
  const env: Record<string, string> = {};
  for (const source of target.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, get(objects, 'ConfigMap', source.configMapRef.name).data ?? {});
    if (source.secretRef) throw new Error(`${workload.metadata.name}: envFrom a whole Secret hides which keys are needed; reference keys one by one`);
  }
  for (const variable of target.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    const fromConfigMap = variable.valueFrom?.configMapKeyRef;
    if (fromConfigMap) env[variable.name] = get(objects, 'ConfigMap', fromConfigMap.name).data?.[fromConfigMap.key] ?? '';
    const fromSecret = variable.valueFrom?.secretKeyRef;
    if (fromSecret && !fromSecret.optional) env[variable.name] = secretValue(fromSecret.key);
  }
  for (const name of omit) delete env[name];
  return env;
}

// Egress as network policies decide it, far enough to tell whether a configured URL can be reached.
interface Peer {
  namespaceSelector?: { matchLabels?: Record<string, string> };
  podSelector?: { matchLabels?: Record<string, string> };
  ipBlock?: { cidr: string; except?: string[] };
}
interface EgressRule {
  to?: Peer[];
  ports?: { protocol?: string; port?: number | string; endPort?: number }[];
}
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'];
const OPT_IN_DIR = join(K8S_DIR, 'opt-in');

/** Where a URL points: a pod in the cluster (a Service name or a private address) or a public address; and its port. */
function destinationOf(url: string): { where: 'cluster' | 'public'; port: number } {
  const { hostname, port, protocol } = new URL(url);
  const inCluster =
    !hostname.includes('.') ||
    /\.(svc|svc\.cluster\.local|cluster\.local)$/.test(hostname) ||
    /^(10\.|192\.168\.|169\.254\.|172\.(1[6-9]|2\d|3[01])\.)/.test(hostname);
  return { where: inCluster ? 'cluster' : 'public', port: Number(port || (protocol === 'https:' ? 443 : 80)) };
}

/**
 * Whether some NetworkPolicy lets pods labelled `podLabels` open TCP `port` to the destination: for a pod in the
 * cluster, a rule whose peer selects pods; for a public address, an ipBlock of 0.0.0.0/0 (private ranges may be
 * excepted). Policies are additive, so one allowing rule is enough.
 */
function egressAllows(objects: K8sObject[], podLabels: Record<string, string>, destination: { where: 'cluster' | 'public'; port: number }): boolean {
  return objects
    .filter((object) => object.kind === 'NetworkPolicy' && (specOf(object)['policyTypes'] as string[]).includes('Egress'))
    .filter((policy) => Object.entries((specOf(policy)['podSelector'] as { matchLabels?: Record<string, string> }).matchLabels ?? {}).every(([key, value]) => podLabels[key] === value))
    .flatMap((policy) => (specOf(policy)['egress'] as EgressRule[] | undefined) ?? [])
    .some((rule) => {
      const portMatches = !rule.ports || rule.ports.some((port) => (port.protocol ?? 'TCP') === 'TCP' && (port.port === undefined || (port.port as number) <= destination.port && destination.port <= (port.endPort ?? (port.port as number))));
      const peerMatches =
        !rule.to ||
        rule.to.some((peer) => (destination.where === 'cluster' ? peer.podSelector !== undefined : peer.ipBlock?.cidr === '0.0.0.0/0' && (peer.ipBlock.except ?? []).every((range) => PRIVATE_RANGES.includes(range))));
      return portMatches && peerMatches;
    });
}

/** The app connections that bot-config asks for and no NetworkPolicy allows: traces from every app, health events from oauth-service. */
function egressGaps(objects: K8sObject[]): string[] {
  const config = configOf(objects);
  const gaps: string[] = [];
  for (const deployment of objects.filter((object) => object.kind === 'Deployment')) {
    const labels = templateOf(deployment).metadata.labels;
    const wanted = [
      ...(config['OTEL_EXPORTER_OTLP_ENDPOINT'] ? [config['OTEL_EXPORTER_OTLP_ENDPOINT']] : []),
      ...(deployment.metadata.name === 'oauth-service' ? (config['EVENT_WEBHOOK_URLS'] ?? '').split(',').map((url) => url.trim()).filter(Boolean) : []),
    ];
    for (const url of wanted) if (!egressAllows(objects, labels, destinationOf(url))) gaps.push(`${deployment.metadata.name} → ${url}`);
  }
  return gaps;
}

describe.each(['base', 'overlays/production'])('deploy/k8s/%s', (overlay) => {
  const objects = render(overlay);
  const deployments = objects.filter((object) => object.kind === 'Deployment');

  it('renders offline, and every object is valid against the Kubernetes schemas (kubernetes-models)', () => {
    expect(objects.length).toBeGreaterThan(20);
    for (const object of objects) {
      const Model = modelFor(object);
      expect(Model).toBeDefined();
      expect(() => new Model(object).validate()).not.toThrow();
    }
  });

  it('the schema check can fail: a wrongly typed field is refused', () => {
    const broken = structuredClone(deployments[0]);
    (container(broken).ports as unknown as { containerPort: string }[])[0].containerPort = 'http';
    expect(() => new (modelFor(broken))(broken).validate()).toThrow(/containerPort/);
  });

  it('has exactly the apps of the config lib, each with its Deployment, Service, PodDisruptionBudget and NetworkPolicy', () => {
    expect(deployments.map((deployment) => deployment.metadata.name).sort()).toEqual([...APP_NAMES].sort());
    for (const app of APP_NAMES) {
      for (const kind of ['Service', 'PodDisruptionBudget', 'NetworkPolicy']) expect(find(objects, kind, app)).toBeDefined();
    }
  });

  it.each(APP_NAMES)('%s: its SPEC port, probes on /health/ready and /health, resources, selectors that match its pods', (app) => {
    const deployment = get(objects, 'Deployment', app);
    const podLabels = templateOf(deployment).metadata.labels;
    const main = container(deployment);
    expect(podLabels['app.kubernetes.io/name']).toBe(app);
    expect(specOf(deployment).selector?.matchLabels).toEqual({ 'app.kubernetes.io/name': app });
    expect(main.image).toMatch(new RegExp(`/${app}(:[\\w.-]+)?$`));
    expect(main.ports).toEqual([{ name: 'http', containerPort: DEFAULT_PORTS[app] }]);
    expect(main.env?.find((variable) => variable.name === 'PORT')?.value).toBe(String(DEFAULT_PORTS[app]));
    expect(main.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(main.livenessProbe?.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(Object.keys(main.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(main.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);

    const service = get(objects, 'Service', app);
    expect(specOf(service)['selector']).toEqual({ 'app.kubernetes.io/name': app });
    expect(specOf(service)['ports']).toEqual([{ name: 'http', port: DEFAULT_PORTS[app], targetPort: 'http' }]);
    expect(specOf(get(objects, 'PodDisruptionBudget', app)).selector?.matchLabels).toEqual({ 'app.kubernetes.io/name': app });
  });

  it('an autoscaler for api-gateway and the API apps (which then leave the replica count to it); oauth-service runs 2+ fixed replicas', () => {
    const autoscalers = objects.filter((object) => object.kind === 'HorizontalPodAutoscaler');
    expect(autoscalers.map((hpa) => hpa.metadata.name).sort()).toEqual(['api-gateway', ...API_APPS].sort());
    for (const hpa of autoscalers) {
      expect(specOf(hpa)['scaleTargetRef']).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: hpa.metadata.name });
      expect(specOf(hpa)['minReplicas']).toBeGreaterThanOrEqual(2);
      expect(specOf(get(objects, 'Deployment', hpa.metadata.name)).replicas).toBeUndefined();
    }
    expect(specOf(get(objects, 'Deployment', 'oauth-service')).replicas).toBeGreaterThanOrEqual(2);
  });

  it('network: everything denied by default; only the ingress controller reaches oauth-service and api-gateway; only agents reach the API apps; apps reach PostgreSQL', () => {
    const deny = get(objects, 'NetworkPolicy', 'bot-default-deny');
    expect(specOf(deny)['podSelector']).toEqual({ matchLabels: { 'app.kubernetes.io/part-of': 'bot' } });
    expect(specOf(deny)['policyTypes']).toEqual(['Ingress', 'Egress']);
    expect(specOf(deny)['ingress']).toBeUndefined();
    for (const workload of objects.filter((object) => ['Deployment', 'Job'].includes(object.kind))) {
      expect(templateOf(workload).metadata.labels['app.kubernetes.io/part-of']).toBe('bot');
    }
    type Peer = { namespaceSelector?: { matchLabels?: Record<string, string> }; podSelector?: { matchLabels?: Record<string, string> } };
    const peersOf = (app: string) => {
      const policy = get(objects, 'NetworkPolicy', app);
      expect(specOf(policy)['podSelector']).toEqual({ matchLabels: { 'app.kubernetes.io/name': app } });
      const rules = specOf(policy)['ingress'] as { from: Peer[]; ports: { port: string }[] }[];
      expect(rules.flatMap((rule) => rule.ports)).toEqual([{ port: 'http' }]);
      return rules.flatMap((rule) => rule.from);
    };
    for (const app of PUBLIC_APPS) {
      expect(peersOf(app)).toEqual([
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } },
      ]);
    }
    for (const app of API_APPS) {
      expect(peersOf(app)).toEqual([{ namespaceSelector: {}, podSelector: { matchLabels: { [AGENT_LABEL]: 'true' } } }]);
    }
    const egress = specOf(get(objects, 'NetworkPolicy', 'bot-egress'))['egress'] as { ports: { port: number }[] }[];
    expect(egress.flatMap((rule) => rule.ports.map((port) => port.port))).toEqual(expect.arrayContaining([53, 5432, 443]));
  });

  it('traces and health events are off by default: bot-config has OTEL_EXPORTER_OTLP_ENDPOINT and EVENT_WEBHOOK_URLS, empty, and no opt-in egress policy', () => {
    expect(configOf(objects)).toMatchObject({ OTEL_EXPORTER_OTLP_ENDPOINT: '', EVENT_WEBHOOK_URLS: '' });
    expect(objects.filter((object) => object.kind === 'NetworkPolicy').map((policy) => policy.metadata.name)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^bot-egress-(otlp-collector|event-receivers)$/)]),
    );
    expect(egressGaps(objects)).toEqual([]);
    // What bot-egress alone allows: public HTTPS on 443, nothing in the cluster but PostgreSQL and Redis.
    const oauthPods = templateOf(get(objects, 'Deployment', 'oauth-service')).metadata.labels;
    expect(egressAllows(objects, oauthPods, destinationOf('https://hooks.example.com/bot'))).toBe(true);
    expect(egressAllows(objects, oauthPods, destinationOf('https://hooks.example.com:8443/bot'))).toBe(false);
    expect(egressAllows(objects, oauthPods, destinationOf('http://receiver.ops.svc.cluster.local:8080/'))).toBe(false);
    expect(egressAllows(objects, oauthPods, destinationOf('http://otel-collector.observability:4318'))).toBe(false);
  });

  it('the Ingress sends installs and callbacks to oauth-service and webhooks to api-gateway, on the host of BASE_URL, with TLS', () => {
    const ingress = get(objects, 'Ingress', 'bot');
    const host = new URL(configOf(objects)['BASE_URL']).host;
    type Rule = { host: string; http: { paths: { path: string; pathType: string; backend: { service: { name: string; port: { number: number } } } }[] } };
    const [rule] = specOf(ingress)['rules'] as Rule[];
    expect(rule.host).toBe(host);
    expect(specOf(ingress)['tls']).toEqual([{ hosts: [host], secretName: 'bot-tls' }]);
    const routes = Object.fromEntries(rule.http.paths.map((path) => [`${path.pathType} ${path.path}`, path.backend.service]));
    expect(routes).toEqual({
      'Exact /': { name: 'oauth-service', port: { number: DEFAULT_PORTS['oauth-service'] } },
      'Prefix /oauth/install': { name: 'oauth-service', port: { number: DEFAULT_PORTS['oauth-service'] } },
      'Prefix /oauth/callback': { name: 'oauth-service', port: { number: DEFAULT_PORTS['oauth-service'] } },
      'Prefix /webhooks': { name: 'api-gateway', port: { number: DEFAULT_PORTS['api-gateway'] } },
    });
  });

  it('Secrets are referenced, never inlined: no Secret object, no secret-looking value in an env or a ConfigMap', () => {
    expect(objects.filter((object) => object.kind === 'Secret')).toEqual([]);
    for (const workload of objects.filter((object) => ['Deployment', 'Job'].includes(object.kind))) {
      for (const variable of container(workload).env ?? []) {
        if (secretLike(variable.name)) expect([workload.metadata.name, variable.name, variable.valueFrom?.secretKeyRef?.name]).toEqual([workload.metadata.name, variable.name, 'bot-secrets']);
      }
    }
    for (const configMap of objects.filter((object) => object.kind === 'ConfigMap')) {
      for (const [name, value] of Object.entries(configMap.data ?? {})) {
        if (secretLike(name)) expect([name, value]).toEqual([name, '']);
      }
    }
  });

  it.each(APP_NAMES)('%s: the manifests provide every variable loadAppConfig requires with NODE_ENV=production', (app) => {
    const deployment = get(objects, 'Deployment', app);
    const cwd = emptyCwd();
    const env = environmentOf(objects, deployment);
    expect(env['NODE_ENV']).toBe('production');
    const config = loadAppConfig(app, { env, cwd });
    expect(config.port).toBe(DEFAULT_PORTS[app]);
    expect(config.generatedDevSecrets).toEqual([]);
    expect(config.trustProxy).toBe(PUBLIC_APPS.includes(app));
    // Agents reach each API app at its Service: the URLs the apps hand out (Link headers) must say so.
    for (const [apiApp, url] of Object.entries(config.apiAppUrls)) {
      const { hostname, port } = new URL(url);
      expect([hostname.split('.')[0], Number(port), find(objects, 'Service', hostname.split('.')[0]) !== undefined]).toEqual([apiApp, DEFAULT_PORTS[apiApp as AppName], true]);
      if (hostname.includes('.')) expect(hostname).toBe(`${apiApp}.${deployment.metadata.namespace}.svc.cluster.local`);
    }
    expect(Object.keys(config.apiAppUrls).sort()).toEqual([...API_APPS].sort());

    // The check can fail: without any one of these the app would not start.
    for (const name of ['DATABASE_URL', 'BASE_URL', 'TOKEN_ENCRYPTION_KEY', 'ADMIN_API_KEY', 'SERVICE_API_KEY']) {
      expect(() => loadAppConfig(app, { env: environmentOf(objects, deployment, [name]), cwd })).toThrow(ConfigError);
    }
  });

  it('every secret the config reads can be given through bot-secrets to every app that reads it', () => {
    const secretVariables = environmentVariableNames().filter(secretLike);
    const legacy = ['GITHUB_TOKEN', 'SLACK_BOT_TOKEN', 'JIRA_API_TOKEN'];
    for (const deployment of deployments) {
      const referenced = (container(deployment).env ?? []).filter((variable) => variable.valueFrom?.secretKeyRef?.name === 'bot-secrets').map((variable) => variable.name);
      const expected = secretVariables.filter((name) => deployment.metadata.name.endsWith('-api') || !legacy.includes(name));
      expect([deployment.metadata.name, expected.filter((name) => !referenced.includes(name))]).toEqual([deployment.metadata.name, []]);
    }
  });

  it('a migrations Job runs the migrations with the oauth-service image and the same configuration', () => {
    const job = get(objects, 'Job', 'bot-migrate');
    const migrate = container(job);
    expect(migrate.command).toEqual(['node', 'main.js', '--migrate-only']);
    expect(migrate.image).toBe(container(get(objects, 'Deployment', 'oauth-service')).image);
    expect(templateOf(job).spec).toMatchObject({ restartPolicy: 'Never' });
    expect(() => loadAppConfig('oauth-service', { env: environmentOf(objects, job), cwd: emptyCwd() })).not.toThrow();
    // The Job runs oauth-service's config check: every secret the app may be given (a platform's client secret once
    // its client id is in bot-config, say) must reach the Job too, or the Job refuses to start and stops the rollout.
    const secretsOf = (object: K8sObject) => (container(object).env ?? []).filter((variable) => variable.valueFrom?.secretKeyRef?.name === 'bot-secrets').map((variable) => variable.name);
    const missing = secretsOf(get(objects, 'Deployment', 'oauth-service')).filter((name) => !secretsOf(job).includes(name));
    expect(missing).toEqual([]);
  });

  it('rollout.sh applies shared objects, then the migrations Job alone, then the apps (its label selectors split the objects so)', () => {
    const component = (object: K8sObject) => object.metadata.labels?.['app.kubernetes.io/component'];
    const shared = objects.filter((object) => !['server', 'migrations'].includes(component(object) ?? ''));
    const migrations = objects.filter((object) => component(object) === 'migrations');
    const server = objects.filter((object) => component(object) === 'server');
    expect(migrations.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual(['Job/bot-migrate']);
    expect(shared.map((object) => object.kind)).toEqual(expect.arrayContaining(['ConfigMap', 'NetworkPolicy', 'Ingress']));
    expect(shared.filter((object) => ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget'].includes(object.kind))).toEqual([]);
    expect(server.filter((object) => object.kind === 'Deployment')).toHaveLength(APP_NAMES.length);
  });
});

describe('deploy/k8s/overlays/production', () => {
  const objects = render('overlays/production');

  it('puts everything in the namespace bot (restricted pod security) and every image at one registry and tag', () => {
    for (const object of objects.filter((candidate) => candidate.kind !== 'Namespace')) expect(object.metadata.namespace).toBe('bot');
    expect(get(objects, 'Namespace', 'bot').metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    const images = objects.filter((object) => ['Deployment', 'Job'].includes(object.kind)).map((object) => container(object).image);
    expect(new Set(images.map((image) => image.replace(/\/[^/]+:[^:]+$/, '')))).toEqual(new Set(['registry.example.com/bot']));
    expect(new Set(images.map((image) => image.split(':').pop()))).toEqual(new Set(['1.0.0']));
  });

  it('serves BASE_URL over https', () => {
    expect(configOf(objects)['BASE_URL']).toMatch(/^https:\/\//);
  });
});

/**
 * The opt-in egress components as the production overlay's comments say to enable them: its commented
 * `components:` entries and its commented example values of OTEL_EXPORTER_OTLP_ENDPOINT and EVENT_WEBHOOK_URLS,
 * put on top of the overlay by a kustomization in a temporary folder.
 */
describe('deploy/k8s/opt-in (enabled as overlays/production says)', () => {
  const productionDir = join(K8S_DIR, 'overlays', 'production');
  const productionText = readFileSync(join(productionDir, 'kustomization.yaml'), 'utf8');
  const componentsBlock = /^# components:\n((?:# {2}.*\n)+)/m.exec(productionText)?.[1] ?? '';
  const components = [...componentsBlock.matchAll(/^# {3}- (\S+)$/gm)].map((match) => resolve(productionDir, match[1]));
  const examples = Object.fromEntries(
    [...productionText.matchAll(/^ {6}# - (OTEL_EXPORTER_OTLP_ENDPOINT|EVENT_WEBHOOK_URLS)=(\S+)$/gm)].map((match) => [match[1], match[2]]),
  );

  /** The production overlay plus `withComponents`, with the example values in bot-config; rendered and parsed. */
  const renderOptIn = (withComponents: string[]) => {
    const dir = emptyCwd();
    const lines = [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'namespace: bot',
      `resources: [${relative(dir, productionDir)}]`,
      `components: [${withComponents.map((component) => relative(dir, component)).join(', ')}]`,
      'configMapGenerator:',
      '  - name: bot-config',
      '    behavior: merge',
      `    literals: [${Object.entries(examples).map(([name, value]) => `"${name}=${value}"`).join(', ')}]`,
    ];
    writeFileSync(join(dir, 'kustomization.yaml'), `${lines.join('\n')}\n`);
    return render(dir);
  };

  it('the overlay names both components (folders that exist) and an example value for each setting', () => {
    expect(components).toEqual([join(OPT_IN_DIR, 'otlp-collector-egress'), join(OPT_IN_DIR, 'event-receiver-egress')]);
    for (const component of components) expect(existsSync(join(component, 'kustomization.yaml'))).toBe(true);
    expect(Object.keys(examples).sort()).toEqual(['EVENT_WEBHOOK_URLS', 'OTEL_EXPORTER_OTLP_ENDPOINT']);
  });

  it('without the components, the example values ask for connections no policy allows (the check can fail)', () => {
    const objects = renderOptIn([]);
    expect(egressGaps(objects).sort()).toEqual(
      [...APP_NAMES.map((app) => `${app} → ${examples['OTEL_EXPORTER_OTLP_ENDPOINT']}`), `oauth-service → ${examples['EVENT_WEBHOOK_URLS']}`].sort(),
    );
  });

  describe('with both components', () => {
    const objects = renderOptIn(components);

    it('renders, and every object is valid against the Kubernetes schemas; the policies are shared objects in the namespace bot', () => {
      for (const object of objects) expect(() => new (modelFor(object))(object).validate()).not.toThrow();
      for (const name of ['bot-egress-otlp-collector', 'bot-egress-event-receivers']) {
        const policy = get(objects, 'NetworkPolicy', name);
        expect(policy.metadata.namespace).toBe('bot');
        // rollout.sh applies objects that are neither `server` nor `migrations` first, with the config.
        expect(policy.metadata.labels).toMatchObject({ 'app.kubernetes.io/part-of': 'bot', 'app.kubernetes.io/component': 'network' });
        expect(specOf(policy)['policyTypes']).toEqual(['Egress']);
      }
    });

    it('every connection bot-config asks for is allowed, and no more: the collector port from every app, the receivers only from oauth-service', () => {
      expect(egressGaps(objects)).toEqual([]);
      const selects = (name: string, workload: K8sObject) =>
        Object.entries((specOf(get(objects, 'NetworkPolicy', name))['podSelector'] as { matchLabels: Record<string, string> }).matchLabels).every(
          ([key, value]) => templateOf(workload).metadata.labels[key] === value,
        );
      const workloads = objects.filter((object) => ['Deployment', 'Job'].includes(object.kind));
      expect(workloads.filter((workload) => selects('bot-egress-otlp-collector', workload)).map((workload) => workload.metadata.name).sort()).toEqual([...APP_NAMES].sort());
      expect(workloads.filter((workload) => selects('bot-egress-event-receivers', workload)).map((workload) => workload.metadata.name)).toEqual(['oauth-service']);
      expect(specOf(get(objects, 'NetworkPolicy', 'bot-egress-otlp-collector'))['egress']).toEqual([
        { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'bot.example.com/otlp-collector': 'true' } } }], ports: [{ protocol: 'TCP', port: 4318 }] },
      ]);
      expect(specOf(get(objects, 'NetworkPolicy', 'bot-egress-event-receivers'))['egress']).toEqual([
        { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'bot.example.com/event-receiver': 'true' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
      ]);
      // Not the whole cluster: another port, or a private address on 443, stays closed.
      const oauthPods = templateOf(get(objects, 'Deployment', 'oauth-service')).metadata.labels;
      expect(egressAllows(objects, oauthPods, destinationOf('http://receiver.ops.svc.cluster.local:9900/'))).toBe(false);
      expect(egressAllows(objects, oauthPods, { where: 'public', port: 8080 })).toBe(false);
    });

    it.each(APP_NAMES)('%s: starts with the example values once bot-secrets has EVENT_WEBHOOK_SECRET, and refuses to without it', (app) => {
      const deployment = get(objects, 'Deployment', app);
      const cwd = emptyCwd();
      const env = { ...environmentOf(objects, deployment), EVENT_WEBHOOK_SECRET: secretValue('EVENT_WEBHOOK_SECRET') };
      const config = loadAppConfig(app, { env, cwd });
      expect(config.observability.otlpEndpoint).toBe(examples['OTEL_EXPORTER_OTLP_ENDPOINT']);
      expect(config.eventWebhooks.urls).toEqual([examples['EVENT_WEBHOOK_URLS']]);
      expect(() => loadAppConfig(app, { env: environmentOf(objects, deployment), cwd })).toThrow(/EVENT_WEBHOOK_SECRET is required/);
    });

    it('the migrations Job (same bot-config, oauth-service entry point) is given EVENT_WEBHOOK_SECRET too, else it would stop the rollout', () => {
      const job = get(objects, 'Job', 'bot-migrate');
      expect(container(job).env?.find((variable) => variable.name === 'EVENT_WEBHOOK_SECRET')?.valueFrom?.secretKeyRef).toEqual({
        name: 'bot-secrets',
        key: 'EVENT_WEBHOOK_SECRET',
        optional: true,
      });
      const env = { ...environmentOf(objects, job), EVENT_WEBHOOK_SECRET: secretValue('EVENT_WEBHOOK_SECRET') };
      expect(() => loadAppConfig('oauth-service', { env, cwd: emptyCwd() })).not.toThrow();
    });
  });
});
