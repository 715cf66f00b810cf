import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** An error an SDK threw in the host, as far as it survives JSON (see esm-sdk-host.mjs). */
export interface EsmSdkError {
  name: string;
  message: string;
  status?: number;
  /** Constructor names up the prototype chain, e.g. ['RequestError', 'Error']. */
  prototypes: string[];
  /** Exported classes of the loaded modules the error is an instance of. */
  instanceOf: string[];
  /** Exported `is…Error` predicates of the loaded modules that accept the error. */
  predicates: string[];
  response: { status?: number; url?: string; headers?: Record<string, string>; data?: unknown } | null;
  body: unknown;
}

/** Thrown in the test for an SDK call that failed in the host; `sdkError` describes what the SDK threw. */
export class EsmSdkCallError extends Error {
  constructor(readonly sdkError: EsmSdkError) {
    super(`${sdkError.name}: ${sdkError.message}`);
  }
}

/** ESM-only SDKs driven from a CommonJS Jest test: they run in a child `node` process, calls go over stdin/stdout. */
export interface EsmSdkHost {
  /** Imports `module` (resolved from package `from`, e.g. a dependency of an aliased SDK); its export names. */
  load(module: string, from?: string): Promise<string[]>;
  /** `name` = `new factory(options)` (or `factory(options)` with `construct: false`) from `module`. */
  create(name: string, module: string, factory: string, options: unknown, construct?: boolean): Promise<void>;
  /** `await client.<method>(...args)` with the result as JSON; `{ $method: 'a.b' }` as an argument is the client's function a.b. */
  call<T = unknown>(name: string, method: string, ...args: unknown[]): Promise<T>;
  /** The same call, resolving to what the SDK threw (and failing if it did not throw). */
  callError(name: string, method: string, ...args: unknown[]): Promise<EsmSdkError>;
  /** Everything the host wrote to stderr so far (SDK warnings). */
  stderr(): string;
  close(): Promise<void>;
}

/** Starts the host; each call must answer within `callTimeoutMs`. */
export function startEsmSdkHost(callTimeoutMs = 15_000): EsmSdkHost {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [join(__dirname, 'esm-sdk-host.mjs')], {
    cwd: join(__dirname, '..', '..', '..'),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = `esm-sdk-host exited (${signal ?? code}): ${stderr.slice(-2000)}`;
    for (const waiter of pending.values()) waiter.reject(new Error(exited));
    pending.clear();
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    const answer = JSON.parse(line) as { id: number; ok: boolean; value?: unknown; error?: EsmSdkError };
    const waiter = pending.get(answer.id);
    pending.delete(answer.id);
    if (answer.ok) waiter?.resolve(answer.value);
    else waiter?.reject(new EsmSdkCallError(answer.error as EsmSdkError));
  });

  let nextId = 0;
  const send = (message: Record<string, unknown>): Promise<unknown> => {
    if (exited) return Promise.reject(new Error(exited));
    const id = ++nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`esm-sdk-host: no answer within ${callTimeoutMs} ms to ${JSON.stringify(message).slice(0, 300)}`));
      }, callTimeoutMs);
      pending.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      child.stdin.write(`${JSON.stringify({ ...message, id })}\n`);
    });
  };

  const call = <T>(name: string, method: string, ...args: unknown[]) => send({ op: 'call', name, method, args }) as Promise<T>;
  return {
    load: (module, from) => send({ op: 'load', module, from }) as Promise<string[]>,
    create: async (name, module, factory, options, construct = true) => {
      await send({ op: 'create', name, module, factory, options, construct });
    },
    call,
    callError: async (name, method, ...args) => {
      try {
        await call(name, method, ...args);
      } catch (error) {
        if (error instanceof EsmSdkCallError) return error.sdkError;
        throw error;
      }
      throw new Error(`${name}.${method} succeeded; an error was expected`);
    },
    stderr: () => stderr,
    close: async () => {
      if (exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}
