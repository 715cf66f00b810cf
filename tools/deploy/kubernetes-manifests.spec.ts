import { APP_NAMES, AppName, ConfigError, DEFAULT_PORTS, environmentVariableNames, loadAppConfig } from '@bot/config';
import { newEncryptionKey, WORKSPACE_ROOT } from '@bot/testing';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** `kubectl kustomize` of one overlay, offline, parsed into objects. */
function render(overlay: string): K8sObject[] {
  const yaml = execFileSync(kubectl(), ['kustomize', join(K8S_DIR, overlay)], { encoding: 'utf8' });
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
