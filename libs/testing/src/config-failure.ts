import { APP_NAMES, AppName } from '@bot/config';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsEntryArgs, tsEntryEnv } from './workspace';

/** Runs an app's real entry point (with `args`) with exactly `env` (plus PATH) from an empty directory; resolves on exit. */
export function runAppProcess(appName: AppName, env: Record<string, string>, timeoutMs = 30_000, args: string[] = []): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const cwd = mkdtempSync(join(tmpdir(), 'bot-app-start-'));
    const child = spawn(process.execPath, [...tsEntryArgs(join('apps', appName, 'src', 'main.ts')), ...args], {
      cwd,
      env: { PATH: process.env['PATH'] ?? '', ...tsEntryEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${appName} did not exit within ${timeoutMs} ms; stdout: ${stdout.slice(-500)}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      rmSync(cwd, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    });
  });
}

/** Registers the start-up test every app must pass: bad config stops the process with one line naming the variable. */
export function verifyConfigFailsAtStart(appName: AppName): void {
  it(`${appName}: a missing required variable stops start-up with one line naming it`, async () => {
    const result = await runAppProcess(appName, {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      BASE_URL: 'https://bot.example.com',
      ADMIN_API_KEY: 'admin-key-0123456789abcdef',
      SERVICE_API_KEY: 'service-key-0123456789abcdef',
      // API apps that write links need their public URLs in production; given here so only the key is missing.
      ...Object.fromEntries(APP_NAMES.filter((app) => app.endsWith('-api')).map((app) => [`${app.toUpperCase().replace(/-/g, '_')}_PUBLIC_URL`, `https://${app}.example.com`])),
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([`${appName}: Invalid configuration: TOKEN_ENCRYPTION_KEY is required when NODE_ENV=production`]);
    expect(result.stdout).not.toMatch(/listening/);
  }, 40_000);

  it(`${appName}: a malformed variable is named, its value is not echoed`, async () => {
    const result = await runAppProcess(appName, { NODE_ENV: 'development', PORT: 'http', TOKEN_ENCRYPTION_KEY: 'sekrit-but-too-short' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/PORT must be/);
    expect(result.stderr).toMatch(/TOKEN_ENCRYPTION_KEY must be 32 random bytes/);
    expect(result.stderr).not.toContain('sekrit');
  }, 40_000);
}
