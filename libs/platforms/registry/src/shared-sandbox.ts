import type { AppConfig } from '@bot/config';
import type { AppSandbox, AttachedSandbox } from '@bot/http-app';
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLATFORM_MODULES, RegisteredPlatform } from './registry';
import { PlatformSandbox, startPlatformSandbox } from './sandbox';

type PlatformName = RegisteredPlatform['platform'];

/** A checkout's sandbox as one process sees it: run here, or run by another process and reused. */
export interface SharedSandbox {
  /** The credential and base-URL variables of one platform's fake. */
  envOf(platform: PlatformName): Record<string, string>;
  urlOf(platform: PlatformName): string;
  /** True when this process runs the fakes (and stops them on `release`). */
  owned: boolean;
  /** Pid of the process running the fakes. */
  ownerPid: number;
  /** Stops the fakes (their state is saved) when this process runs them; nothing otherwise. */
  release(): Promise<void>;
}

export interface SharedSandboxOptions {
  /** The checkout's sandbox directory (SANDBOX_DIR, `.data/sandbox`): the fakes' state and `sandbox.json`. */
  dir: string;
  oauthServiceUrl: string;
  /** Public origin of api-gateway, where fakes send webhooks on their own (Sentry). */
  webhookPublicBaseUrl?: string;
  onProblem?: (message: string) => void;
  /** How long to wait for a sandbox another process is starting. */
  timeoutMs?: number;
}

/** What `sandbox.json` says: who runs the fakes, and (once they listen) where and with which variables. */
interface SandboxRecord {
  pid: number;
  instance: string;
  platforms?: Partial<Record<PlatformName, { url: string; env: Record<string, string> }>>;
}

/**
 * The sandbox of one checkout, shared by every process that needs it. The first process runs the fakes (their
 * state under `dir`) and records where they listen in `dir/sandbox.json`, claimed atomically so two processes
 * starting together never run two sets of fakes on one state; the others reuse them while that process lives
 * and its fakes answer with the recorded instance id. A record left by a dead process is replaced.
 */
export async function joinOrStartSandbox(options: SharedSandboxOptions): Promise<SharedSandbox> {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const recordPath = join(options.dir, 'sandbox.json');
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const claim: SandboxRecord = { pid: process.pid, instance: randomBytes(8).toString('hex') };
    if (claimRecord(recordPath, claim)) return runHere(recordPath, claim, options);

    const record = readRecord(recordPath);
    if (record?.platforms && (await fakesAnswer(record))) return reused(recordPath, record, options);
    const starting = record !== undefined && !record.platforms && isAlive(record.pid);
    if (!starting) {
      removeRecord(recordPath, record);
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`the sandbox being started by process ${record.pid} did not come up; stop that process or delete ${recordPath}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The sandbox of an app run on its own (`nx serve <app>`): the checkout's shared fakes for every platform without
 * credentials when SANDBOX is auto. Each app's entry point hands it to `runHttpApp`; `npm start` uses it too.
 */
export const CHECKOUT_SANDBOX: AppSandbox = {
  async attach(config: AppConfig, log: (line: string) => void): Promise<AttachedSandbox | undefined> {
    const missing = config.sandbox === 'auto' ? PLATFORM_MODULES.filter((entry) => !entry.configured(config)).map((entry) => entry.platform) : [];
    if (missing.length === 0) return undefined;
    const sandbox = await joinOrStartSandbox({ dir: config.sandboxDir, oauthServiceUrl: config.baseUrl, webhookPublicBaseUrl: config.webhookPublicBaseUrl, onProblem: log });
    const runBy = sandbox.owned ? 'started by this process' : `run by process ${sandbox.ownerPid}`;
    for (const platform of missing) log(`sandbox: no ${platform} credentials configured, using the in-repo fake at ${sandbox.urlOf(platform)} (${runBy})`);
    return {
      // Only the variables of platforms without credentials: a configured platform keeps its real ones.
      env: Object.assign({}, ...missing.map((platform) => sandbox.envOf(platform))),
      platforms: missing,
      release: () => sandbox.release(),
    };
  },
};

async function runHere(recordPath: string, claim: SandboxRecord, options: SharedSandboxOptions, ports?: Record<string, number>): Promise<SharedSandbox> {
  let fakes: PlatformSandbox;
  try {
    fakes = await startPlatformSandbox({ stateDir: options.dir, oauthServiceUrl: options.oauthServiceUrl, webhookPublicBaseUrl: options.webhookPublicBaseUrl, onProblem: options.onProblem, ports });
  } catch (error) {
    removeRecord(recordPath, claim);
    throw error;
  }
  for (const fake of fakes.fakes()) fake.instanceId = claim.instance;
  const record: SandboxRecord = {
    ...claim,
    platforms: Object.fromEntries(PLATFORM_MODULES.map(({ platform }) => [platform, { url: fakes.fakeOf(platform).url, env: fakes.envOf(platform) }])),
  };
  writeAtomically(recordPath, record);
  // An exit without `release` (a crash, process.exit) still saves what the fakes issued and frees the record.
  const onExit = () => {
    for (const fake of fakes.fakes()) fake.saveState();
    removeRecord(recordPath, claim);
  };
  process.on('exit', onExit);
  let released = false;
  return {
    ...views(record),
    owned: true,
    ownerPid: process.pid,
    release: async () => {
      if (released) return;
      released = true;
      process.off('exit', onExit);
      await fakes.stop();
      removeRecord(recordPath, claim);
    },
  };
}

/** How often a process that reuses another's fakes checks that their owner still runs. */
const OWNER_CHECK_MS = 2_000;

/**
 * Fakes run by another process. That process may stop first (the developer stops the app that started them): then
 * this one runs them instead, on the same ports and from the same state (credentials, the GitHub App key and what
 * was issued all live in the sandbox directory), so the URLs and variables this app started with stay right.
 */
function reused(recordPath: string, record: SandboxRecord, options: SharedSandboxOptions): SharedSandbox {
  let owner = record;
  let taken: SharedSandbox | undefined;
  let checking = false;
  const check = async () => {
    if (checking || taken || isAlive(owner.pid)) return;
    checking = true;
    try {
      removeRecord(recordPath, owner);
      const claim: SandboxRecord = { pid: process.pid, instance: randomBytes(8).toString('hex') };
      if (claimRecord(recordPath, claim)) {
        taken = await runHere(recordPath, claim, options, portsOf(owner)).catch((error: Error) => {
          options.onProblem?.(`sandbox: process ${owner.pid} that ran the fakes is gone and they could not be started here (${error.message}); restart this app`);
          return undefined;
        });
        if (taken) options.onProblem?.(`sandbox: process ${owner.pid} that ran the fakes is gone; this process runs them now, on the same ports`);
        return;
      }
      // Another process took over first: watch that one (the same ports, or this app must be restarted).
      const next = readRecord(recordPath);
      if (next?.platforms && !samePlaces(next, owner)) {
        options.onProblem?.(`sandbox: the fakes now run elsewhere (process ${next.pid}); restart this app to use them`);
      }
      if (next?.platforms) owner = next;
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void check(), OWNER_CHECK_MS);
  timer.unref();
  return {
    ...views(record),
    owned: false,
    get ownerPid() {
      return taken ? process.pid : owner.pid;
    },
    release: async () => {
      clearInterval(timer);
      await taken?.release();
    },
  };
}

/** The port of each fake (by its sandbox name) in `record`. */
function portsOf(record: SandboxRecord): Record<string, number> {
  return Object.fromEntries(
    PLATFORM_MODULES.flatMap((entry) => {
      const url = record.platforms?.[entry.platform]?.url;
      return url ? [[entry.sandbox.name, Number(new URL(url).port)]] : [];
    }),
  );
}

function samePlaces(a: SandboxRecord, b: SandboxRecord): boolean {
  return PLATFORM_MODULES.every((entry) => a.platforms?.[entry.platform]?.url === b.platforms?.[entry.platform]?.url);
}

function views(record: SandboxRecord): Pick<SharedSandbox, 'envOf' | 'urlOf'> {
  const of = (platform: PlatformName) => {
    const entry = record.platforms?.[platform];
    if (!entry) throw new Error(`the sandbox has no fake for ${platform}`);
    return entry;
  };
  return { envOf: (platform) => ({ ...of(platform).env }), urlOf: (platform) => of(platform).url };
}

/** Creates the record only if there is none: written aside, then hard-linked into place (fails if it exists). */
function claimRecord(path: string, record: SandboxRecord): boolean {
  const staging = `${path}.${record.instance}.tmp`;
  writeFileSync(staging, JSON.stringify(record), { mode: 0o600 });
  try {
    linkSync(staging, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(staging);
  }
}

function writeAtomically(path: string, record: SandboxRecord): void {
  const staging = `${path}.${record.instance}.tmp`;
  writeFileSync(staging, JSON.stringify(record), { mode: 0o600 });
  renameSync(staging, path);
}

function readRecord(path: string): SandboxRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as SandboxRecord;
    return Number.isInteger(record.pid) && typeof record.instance === 'string' ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the record if it is still `expected` (another process may have replaced it meanwhile). */
function removeRecord(path: string, expected: SandboxRecord | undefined): void {
  const current = readRecord(path);
  if (current && expected && current.instance !== expected.instance) return;
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function fakesAnswer(record: SandboxRecord): Promise<boolean> {
  const answers = await Promise.all(
    Object.values(record.platforms ?? {}).map((entry) =>
      fetch(`${entry.url}/fake/instance`, { signal: AbortSignal.timeout(2000) })
        .then((response) => response.json() as Promise<{ instance?: string }>)
        .then((body) => body.instance === record.instance)
        .catch(() => false),
    ),
  );
  return answers.length > 0 && answers.every(Boolean);
}
