import { ChildProcess, spawn } from 'node:child_process';

/** One app process the supervisor keeps running. */
export interface SupervisedApp {
  name: string;
  /** Port whose `/health/ready` tells that the app is serving. */
  port: number;
  /** Node arguments of the app's entry point. */
  args: string[];
  env: Record<string, string | undefined>;
}

export interface AppSupervisorOptions {
  cwd: string;
  say(line: string): void;
  /** Where the apps' own output lines go, prefixed with the app name (default: stdout). */
  print?(line: string): void;
  /** Called once when an app keeps crashing; the supervisor restarts nothing after that. */
  onCrashLoop(app: string, lastLines: string[]): void;
  /** Crashes of one app within `crashWindowMs` that count as a crash loop. */
  crashLimit?: number;
  crashWindowMs?: number;
  /** Lines of each app's output kept for the crash-loop report. */
  keptLines?: number;
  /** Time an app gets to flush and exit after SIGTERM before it is killed. */
  stopTimeoutMs?: number;
}

interface AppState {
  app: SupervisedApp;
  child?: ChildProcess;
  crashes: number[];
  lastLines: string[];
  restartTimer?: NodeJS.Timeout;
}

const BACKOFF_MS = [500, 1_000, 2_000, 4_000, 8_000];

/**
 * Runs the apps of `npm start` as child processes and keeps them running: an app that exits on its own is
 * started again after a growing pause (0.5 s, 1 s, 2 s, …) while the others keep serving; an app that crashes
 * `crashLimit` times within `crashWindowMs` is a crash loop, reported once with its last output lines.
 */
export class AppSupervisor {
  private readonly states = new Map<string, AppState>();
  private stopping = false;
  private readonly crashLimit: number;
  private readonly crashWindowMs: number;
  private readonly keptLines: number;
  private readonly stopTimeoutMs: number;

  constructor(
    apps: SupervisedApp[],
    private readonly options: AppSupervisorOptions,
  ) {
    for (const app of apps) this.states.set(app.name, { app, crashes: [], lastLines: [] });
    this.crashLimit = options.crashLimit ?? 5;
    this.crashWindowMs = options.crashWindowMs ?? 60_000;
    this.keptLines = options.keptLines ?? 25;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  }

  /** Starts every app. */
  start(): void {
    for (const state of this.states.values()) this.spawn(state);
  }

  /** Stops every app (SIGTERM, so each flushes what it holds; SIGKILL after the time limit) and restarts none. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const state of this.states.values()) clearTimeout(state.restartTimer);
    await Promise.all([...this.states.values()].map((state) => this.stopChild(state.child)));
  }

  /** Pids of the running apps. */
  pids(): Record<string, number | undefined> {
    return Object.fromEntries([...this.states].map(([name, state]) => [name, state.child?.pid]));
  }

  private spawn(state: AppState): void {
    const child = spawn(process.execPath, state.app.args, { cwd: this.options.cwd, env: state.app.env, stdio: ['ignore', 'pipe', 'pipe'] });
    state.child = child;
    this.forwardOutput(state, child);
    child.on('error', (error) => this.remember(state, `failed to start: ${error.message}`));
    child.on('exit', (code, signal) => {
      if (state.child !== child) return;
      state.child = undefined;
      if (!this.stopping) this.crashed(state, signal ?? `code ${code}`);
    });
  }

  private crashed(state: AppState, how: string): void {
    const now = Date.now();
    state.crashes = [...state.crashes.filter((at) => now - at < this.crashWindowMs), now];
    const { name } = state.app;
    if (state.crashes.length >= this.crashLimit) {
      this.options.say(`${name} exited unexpectedly (${how}), ${state.crashes.length} times in ${this.crashWindowMs / 1000} s: crash loop`);
      this.stopping = true;
      this.options.onCrashLoop(name, [...state.lastLines]);
      return;
    }
    const pause = BACKOFF_MS[Math.min(state.crashes.length - 1, BACKOFF_MS.length - 1)];
    this.options.say(`${name} exited unexpectedly (${how}); restarting it in ${pause / 1000} s (the other apps keep serving)`);
    state.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.spawn(state);
      void this.announceWhenReady(state);
    }, pause);
  }

  private async announceWhenReady(state: AppState): Promise<void> {
    const child = state.child;
    while (!this.stopping && state.child === child && child?.exitCode === null) {
      const ready = await fetch(`http://127.0.0.1:${state.app.port}/health/ready`).then((r) => r.ok, () => false);
      if (ready) return this.options.say(`${state.app.name} restarted and ready on http://localhost:${state.app.port}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private forwardOutput(state: AppState, child: ChildProcess): void {
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream?.on('data', (chunk: Buffer) => {
        const lines = (pending + chunk.toString()).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) this.remember(state, line, true);
      });
    }
  }

  private remember(state: AppState, line: string, print = false): void {
    state.lastLines.push(line);
    if (state.lastLines.length > this.keptLines) state.lastLines.shift();
    if (print) (this.options.print ?? ((text: string) => process.stdout.write(`${text}\n`)))(`[${state.app.name}] ${line}`);
  }

  private stopChild(child: ChildProcess | undefined): Promise<void> {
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), this.stopTimeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
