import { tsEntryArgs, tsEntryEnv } from '@bot/testing';
import { spawn } from 'node:child_process';

/** `bench-upstream.ts` as its own OS process answering after `latencyMs`; resolves with its URL. */
export async function startBenchUpstream(latencyMs: number): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [...tsEntryArgs('tools/bench/bench-upstream.ts'), '0', String(latencyMs)], { env: { ...tsEntryEnv(), PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`upstream exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise((resolve) => (child.once('exit', () => resolve()), child.kill('SIGTERM'))) };
}
