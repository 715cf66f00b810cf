import { AppName } from '@bot/config';
import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './pg-admin';
import { TEST_ADMIN_API_KEY, TEST_SERVICE_API_KEY } from './test-config';
import { tsEntryArgs, tsEntryEnv } from './workspace';

/** An app running as its own OS process (its real entry point), for tests that need several processes. */
export interface AppProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote so far. */
  output(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

/** How to start an app process beyond its environment. */
export interface AppProcessOptions {
  timeoutMs?: number;
  /** Node flags before the entry point, e.g. `--cpu-prof` for a benchmark's profile. */
  nodeArgs?: string[];
  /** A built bundle to run (e.g. `dist/apps/<app>/main.js`) instead of the TypeScript entry point. */
  bundle?: string;
  /** The directory the app runs in (its `.data/`); a new temporary one by default. */
  cwd?: string;
  /**
   * The process writes its output to a file, as a container runtime keeps it, and `output()` reads back only the
   * last 64 KiB (start-up failures still show): a benchmark's app writes a log line per request, which read
   * through a pipe would pile up in this process and take CPU from the load generator running here.
   */
  boundedOutput?: boolean;
}

/**
 * Starts `appName` from source with exactly `env` (plus test keys, PATH and PORT, a free one unless given) and resolves once its
 * `/health` answers. `env` must carry DATABASE_URL and TOKEN_ENCRYPTION_KEY. `cwd` is the directory the app runs
 * in (its `.data/`); a new temporary one by default.
 */
export async function startAppProcess(
  appName: AppName,
  env: Record<string, string>,
  timeoutOrOptions: number | AppProcessOptions = {},
  cwd?: string,
): Promise<AppProcess> {
  const options = typeof timeoutOrOptions === 'number' ? { timeoutMs: timeoutOrOptions, cwd } : timeoutOrOptions;
  const { timeoutMs = 60_000, nodeArgs = [], bundle } = options;
  const port = env['PORT'] ? Number(env['PORT']) : await freePort();
  const entry = bundle ? [bundle] : tsEntryArgs(join('apps', appName, 'src', 'main.ts'));
  // A directory made here is the process's alone and goes with it; a given `cwd` belongs to the caller.
  const ownCwd = options.cwd ? undefined : mkdtempSync(join(tmpdir(), 'bot-app-proc-'));
  const outputDir = options.boundedOutput ? mkdtempSync(join(tmpdir(), 'bot-app-output-')) : undefined;
  const outputFd = outputDir ? openSync(join(outputDir, 'output.log'), 'a+') : undefined;
  const child = spawn(process.execPath, [...nodeArgs, ...entry], {
    cwd: options.cwd ?? ownCwd,
    env: {
      PATH: process.env['PATH'] ?? '',
      ...tsEntryEnv(),
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      ADMIN_API_KEY: TEST_ADMIN_API_KEY,
      SERVICE_API_KEY: TEST_SERVICE_API_KEY,
      ...env,
      PORT: String(port),
    },
    stdio: outputFd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', outputFd, outputFd],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let outputOpen = outputFd !== undefined;
  // After the exit the file is gone and `output` holds its tail.
  const currentOutput = () => (outputOpen && outputFd !== undefined ? outputTail(outputFd) : output);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      if (outputFd !== undefined) {
        output = outputTail(outputFd);
        outputOpen = false;
        closeSync(outputFd);
      }
      if (outputDir) rmSync(outputDir, { recursive: true, force: true });
      if (ownCwd) rmSync(ownCwd, { recursive: true, force: true });
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${appName} exited during start-up (code ${child.exitCode}): ${currentOutput().slice(-1000)}`);
    const healthy = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (healthy) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${appName} did not become healthy within ${timeoutMs} ms: ${currentOutput().slice(-1000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return {
    url,
    child,
    output: currentOutput,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

const OUTPUT_TAIL_BYTES = 64 * 1024;

/** The last 64 KiB of the output file behind `fd`. */
function outputTail(fd: number): string {
  const size = fstatSync(fd).size;
  const length = Math.min(size, OUTPUT_TAIL_BYTES);
  const buffer = Buffer.alloc(length);
  readSync(fd, buffer, 0, length, size - length);
  return buffer.toString();
}
