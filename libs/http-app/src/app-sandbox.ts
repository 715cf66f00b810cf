import { AppConfig } from '@bot/config';

/** Fakes an app uses for its platforms without credentials, and how to let go of them at shutdown. */
export interface AttachedSandbox {
  /** Credential and base-URL variables that point those platforms at the fakes. */
  env: Record<string, string>;
  platforms: string[];
  /** Stops the fakes when this process runs them (their state is saved); nothing when it reuses another's. */
  release(): Promise<void>;
}

/**
 * Where an app run on its own gets sandbox platforms from. `@bot/platforms` provides the checkout's shared sandbox
 * (`CHECKOUT_SANDBOX`); each app's entry point hands it to `runHttpApp`, since libs cannot depend on the registry.
 */
export interface AppSandbox {
  /** The sandbox for `config`'s platforms without credentials, or undefined when none is needed (or SANDBOX=off). */
  attach(config: AppConfig, log: (line: string) => void): Promise<AttachedSandbox | undefined>;
}
