import type { AppConfig } from '@bot/config';
import type { Platform } from '@bot/installations';
import type { Provider, Type } from '@nestjs/common';
import type { InstallationHooks } from './installation-hooks';
import type { InstallationProvider } from './installation-provider';

/** A running fake of a platform, as the sandbox needs it (`FakePlatform` of `@bot/platform-fakes` has it all). */
export interface SandboxFake {
  readonly url: string;
  /** Names this run of the fake (`GET /fake/instance`), so another process can tell it reached the fake it was told about. */
  instanceId: string;
  /** Keeps what the fake issued in `path` across restarts, loading what is there now. */
  persistIn(path: string, onProblem?: (message: string) => void): unknown;
  /** Writes the persisted state now (it is also written after every call and on stop). */
  saveState(): void;
  stop(): Promise<void>;
}

/** What every sandbox part is started with. */
export interface SandboxStartOptions {
  /** Base URL of the oauth-service, for fakes that redirect back to it on their own. */
  oauthServiceUrl?: string;
  /** Public origin of api-gateway, for fakes that send webhooks on their own (Sentry). */
  webhookPublicBaseUrl?: string;
  /** Port of the fake; any free port when unset. */
  port?: number;
  /**
   * The checkout's sandbox directory when the sandbox persists (`npm start`, `nx serve`): a part keeps files of its
   * own there that must survive a restart (e.g. GitHub's app key). The fake's state is persisted by the sandbox.
   */
  stateDir?: string;
}

/** A platform's part of `npm start`'s sandbox: its fake and the variables that point the apps at it. */
export interface PlatformSandboxPart<Name extends string = string, Fake extends SandboxFake = SandboxFake, Options extends object = object> {
  /** Key of the fake in the sandbox (`atlassian` for Jira, whose fake plays Atlassian's auth and API hosts). */
  readonly name: Name;
  /** Starts the fake; `env` holds this platform's credential and base-URL variables for the apps. */
  start(options: SandboxStartOptions & Options): Promise<{ fake: Fake; env: Record<string, string> }>;
}

/**
 * Everything one platform brings, in one object: the registry entry. Apps and tools read these entries
 * (through `@bot/platforms`) instead of naming platforms.
 */
export interface PlatformModule<Name extends string = string, Fake extends SandboxFake = SandboxFake, Options extends object = object> {
  /** Name in URLs, rows and queues. */
  readonly platform: Platform;
  /** Human name for pages and messages. */
  readonly displayName: string;
  /** True when the platform's credentials are configured (otherwise `npm start` runs its fake). */
  configured(config: AppConfig): boolean;
  /** oauth-service and TokenService: install, refresh and revoke; `providers` are the classes it injects besides the shared ones. */
  readonly install: { provider: Type<InstallationProvider>; providers?: Provider[] };
  /**
   * Optional: work around an installation's life (see InstallationHooks), as a Nest module that provides and
   * exports `provider`; oauth-service runs it after installs and before revokes.
   */
  readonly hooks?: { module: Type<unknown>; provider: Type<InstallationHooks> };
  /** api-gateway: a Nest module whose controllers serve `/webhooks/<platform>…` (and any scheduled webhook jobs). */
  readonly webhooks: Type<unknown>;
  /** `<platform>-api`: a Nest module with the forwarded routes and the platform's PassThroughTarget. */
  readonly passThrough: Type<unknown>;
  /** Typed clients for code in this repo (Nest providers that need TokensModule). */
  readonly clients: Type<unknown>[];
  /** `npm start` and the tests: the fake and its variables. */
  readonly sandbox: PlatformSandboxPart<Name, Fake, Options>;
}
