export type Env = Record<string, string | undefined>;

/**
 * The part of AppConfig one platform contributes: `settings` are merged into AppConfig itself (its credentials
 * under the platform's own key, e.g. `jira`), `upstream` into `AppConfig.upstream`, `legacy` into `AppConfig.legacy`.
 */
export interface PlatformConfigPart<
  Settings extends object = object,
  Upstream extends Record<string, string> = Record<string, string>,
  Legacy extends Record<string, string | undefined> = Record<string, string | undefined>,
> {
  settings: Settings;
  upstream: Upstream;
  legacy: Legacy;
}

/** One platform's environment: its variables (a class-validator class), which of them belong together, and how they read. */
export interface PlatformConfig<Part extends PlatformConfigPart = PlatformConfigPart> {
  /** Name in messages ("GitHub is partly configured"). */
  displayName: string;
  /** Declares and validates every variable of the platform. */
  variables: new () => object;
  /** Once any credential variable is set, every `required` one must be. */
  required: string[];
  optional: string[];
  /** The platform's part of the typed config, from already validated variables. */
  read(env: Env): Part;
  /** Rules that span variables (e.g. what production requires once the platform is configured); one line per problem. */
  problems?(env: Env, production: boolean): string[];
}

/** A URL from the environment without its trailing slashes. */
export function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
