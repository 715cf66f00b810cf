import { freePort } from '@bot/testing';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppSupervisor, SupervisedApp } from './app-supervisor';

/**
 * A stand-in app: counts its runs in a file, crashes (exit 3) on the runs listed in CRASH_RUNS after printing a
 * line, otherwise serves `/health/ready` and on SIGTERM takes a moment to "flush" before it exits.
 */
const STAND_IN = `
const fs = require('node:fs');
const run = (fs.existsSync(process.env.RUNS) ? Number(fs.readFileSync(process.env.RUNS, 'utf8')) : 0) + 1;
fs.writeFileSync(process.env.RUNS, String(run));
if (process.env.CRASH_RUNS.split(',').includes(String(run)) || process.env.CRASH_RUNS === 'all') {
  console.log('stand-in run ' + run + ': fatal: cannot start');
  process.exit(3);
}
const server = require('node:http').createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => setTimeout(() => { fs.writeFileSync(process.env.FLUSHED, 'yes'); server.close(); process.exit(0); }, 300));
`;

describe('AppSupervisor (npm start keeps the apps running)', () => {
  let dir: string;
  let lines: string[];
  let supervisor: AppSupervisor | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bot-supervisor-'));
    lines = [];
  });
  afterEach(async () => {
    await supervisor?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const standIn = async (crashRuns: string): Promise<SupervisedApp> => {
    const port = await freePort();
    return {
      name: 'stand-in',
      port,
      args: ['-e', STAND_IN],
      env: { PATH: process.env['PATH'], PORT: String(port), RUNS: join(dir, 'runs'), FLUSHED: join(dir, 'flushed'), CRASH_RUNS: crashRuns },
    };
  };
  const runs = () => Number(readFileSync(join(dir, 'runs'), 'utf8'));
  const until = async (condition: () => boolean, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out; supervisor said:\n${lines.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('restarts a crashed app after a pause, says so, and says when it serves again', async () => {
    const app = await standIn('1');
    supervisor = new AppSupervisor([app], { cwd: dir, print: () => undefined, say: (line) => lines.push(line), onCrashLoop: () => lines.push('CRASH LOOP') });
    supervisor.start();
    await until(() => lines.some((line) => line.includes('restarted and ready')));
    expect(lines).toEqual([
      'stand-in exited unexpectedly (code 3); restarting it in 0.5 s (the other apps keep serving)',
      `stand-in restarted and ready on http://localhost:${app.port}`,
    ]);
    expect(runs()).toBe(2);
    expect((await fetch(`http://127.0.0.1:${app.port}/health/ready`)).status).toBe(200);
  }, 40_000);

  it('backs off between restarts and reports a crash loop once, with the last output lines, restarting nothing more', async () => {
    const crashLoops: { app: string; lastLines: string[] }[] = [];
    supervisor = new AppSupervisor([await standIn('all')], {
      cwd: dir,
      print: () => undefined,
      say: (line) => lines.push(line),
      onCrashLoop: (app, lastLines) => crashLoops.push({ app, lastLines }),
    });
    supervisor.start();
    await until(() => crashLoops.length > 0);
    expect(lines.filter((line) => line.includes('restarting it in'))).toEqual(
      ['0.5', '1', '2', '4'].map((s) => `stand-in exited unexpectedly (code 3); restarting it in ${s} s (the other apps keep serving)`),
    );
    expect(lines.at(-1)).toBe('stand-in exited unexpectedly (code 3), 5 times in 60 s: crash loop');
    expect(crashLoops).toEqual([{ app: 'stand-in', lastLines: [1, 2, 3, 4, 5].map((run) => `stand-in run ${run}: fatal: cannot start`) }]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(runs()).toBe(5);
  }, 40_000);

  it('stop() lets each app finish its shutdown (SIGTERM) and restarts nothing', async () => {
    const app = await standIn('none');
    supervisor = new AppSupervisor([app], { cwd: dir, print: () => undefined, say: (line) => lines.push(line), onCrashLoop: () => undefined });
    supervisor.start();
    await until(() => existsSync(join(dir, 'runs')));
    await until(() => lines.length === 0 && supervisor!.pids()['stand-in'] !== undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await supervisor.stop();
    expect(readFileSync(join(dir, 'flushed'), 'utf8')).toBe('yes');
    expect(lines).toEqual([]);
    expect(runs()).toBe(1);
  }, 40_000);
});
