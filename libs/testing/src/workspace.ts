import { join } from 'node:path';

/** Root of the Nx workspace (where package.json and tsconfig.json live). */
export const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');

/** Node arguments that run a TypeScript entry point of the workspace the way `nx serve` does. */
export function tsEntryArgs(relativePath: string): string[] {
  return ['--require', require.resolve('@swc-node/register'), join(WORKSPACE_ROOT, relativePath)];
}

/** Environment that lets a TypeScript entry point started from another directory find the workspace tsconfig. */
export function tsEntryEnv(): Record<string, string> {
  return { SWC_NODE_PROJECT: join(WORKSPACE_ROOT, 'tsconfig.json') };
}
