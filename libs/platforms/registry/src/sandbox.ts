import type { PlatformSandboxPart, SandboxFake } from '@bot/providers';
import { join } from 'node:path';
import { PLATFORM_MODULES, RegisteredPlatform } from './registry';

type Part = RegisteredPlatform['sandbox'];
type FakeOf<P> = P extends PlatformSandboxPart<string, infer Fake, object> ? Fake : never;
type OptionsOf<P> = P extends PlatformSandboxPart<string, SandboxFake, infer Options> ? Options : never;
type Intersection<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void ? I : never;

/**
 * Options of the sandbox: the oauth-service and api-gateway URLs (where fakes redirect and send webhooks on their
 * own), ports by fake name, each platform's own options, and `stateDir`: when set, every fake keeps what it issued
 * (tokens, installs, workspaces, sites, issues, messages) in `<stateDir>/<fake>.state`, so installations made
 * before a restart keep working after it (unset: memory only, as tests want). `onProblem` hears about a state file
 * that could not be read (that fake then starts empty).
 */
export type PlatformSandboxOptions = {
  oauthServiceUrl?: string;
  webhookPublicBaseUrl?: string;
  ports?: Partial<Record<Part['name'], number>>;
  stateDir?: string;
  onProblem?: (message: string) => void;
} & Intersection<OptionsOf<Part>>;

/** The fakes of every registered platform running together, and the environment that points the apps at them. */
export type PlatformSandbox = { [P in Part as P['name']]: FakeOf<P> } & {
  /** Credentials and base-URL variables of every platform for the apps (GITHUB_*, SLACK_*, JIRA_*, SENTRY_*, *_BASE_URL). */
  env: Record<string, string>;
  /** The variables of one platform only (for a machine that has real credentials for the others). */
  envOf(platform: RegisteredPlatform['platform']): Record<string, string>;
  /** The running fake of one platform. */
  fakeOf(platform: RegisteredPlatform['platform']): SandboxFake;
  /** Every running fake. */
  fakes(): SandboxFake[];
  stop(): Promise<void>;
};

/**
 * Starts the fake of every registered platform on loopback. Installs and grants seed the data their APIs answer
 * with (a `demo` repository, a workspace's channels and users, a site's SBX project), so the API apps have
 * something to forward to straight after an install.
 */
export async function startPlatformSandbox(options: PlatformSandboxOptions = {} as PlatformSandboxOptions): Promise<PlatformSandbox> {
  const started: { platform: RegisteredPlatform['platform']; name: string; fake: SandboxFake; env: Record<string, string> }[] = [];
  for (const entry of PLATFORM_MODULES) {
    const part = entry.sandbox as PlatformSandboxPart;
    const ports = (options.ports ?? {}) as Record<string, number | undefined>;
    const { fake, env } = await part.start({ ...options, port: ports[part.name] });
    if (options.stateDir) fake.persistIn(join(options.stateDir, `${part.name}.state`), options.onProblem);
    started.push({ platform: entry.platform, name: part.name, fake, env });
  }
  const find = (platform: string) => {
    const found = started.find((item) => item.platform === platform);
    if (!found) throw new Error(`no sandbox fake for ${platform}`);
    return found;
  };
  return {
    ...Object.fromEntries(started.map((item) => [item.name, item.fake])),
    env: Object.assign({}, ...started.map((item) => item.env)),
    envOf: (platform) => ({ ...find(platform).env }),
    fakeOf: (platform) => find(platform).fake,
    fakes: () => started.map((item) => item.fake),
    stop: async () => {
      await Promise.all(started.map((item) => item.fake.stop()));
    },
  } as PlatformSandbox;
}
