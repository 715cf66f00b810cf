import { IsOptional, IsString, Matches } from 'class-validator';
import { URL_MESSAGE, URL_PATTERN } from '../environment-variables';
import { PlatformConfig, PlatformConfigPart, stripSlash } from './platform-config';

/** Sentry's variables (a public integration of Sentry's integration platform). */
export class SentryEnvironmentVariables {
  @IsOptional() @IsString()
  SENTRY_CLIENT_ID?: string;

  @IsOptional() @IsString()
  SENTRY_CLIENT_SECRET?: string;

  @IsOptional() @Matches(/^[a-z0-9][a-z0-9-]*$/, { message: 'SENTRY_APP_SLUG must be the integration slug (lower-case letters, digits, dashes)' })
  SENTRY_APP_SLUG?: string;

  @IsOptional() @Matches(URL_PATTERN, { message: `SENTRY_BASE_URL ${URL_MESSAGE}` })
  SENTRY_BASE_URL?: string;

  /** Where agents reach sentry-api (read as AppConfig.publicUrl by that app; it writes Link pagination URLs). */
  @IsOptional() @Matches(URL_PATTERN, { message: `SENTRY_API_PUBLIC_URL ${URL_MESSAGE}` })
  SENTRY_API_PUBLIC_URL?: string;
}

export interface SentryAppCredentials {
  clientId: string;
  clientSecret: string;
  /** Slug of the public integration (its install page is `/sentry-apps/<slug>/external-install/`). */
  appSlug: string;
}

type SentryConfigPart = PlatformConfigPart<{ sentry?: SentryAppCredentials }, { sentryBaseUrl: string }, Record<never, never>>;

/** Sentry integration credentials and its host (sentry.io, a region host such as de.sentry.io, or self-hosted). */
export const SENTRY_CONFIG: PlatformConfig<SentryConfigPart> = {
  displayName: 'Sentry',
  variables: SentryEnvironmentVariables,
  required: ['SENTRY_CLIENT_ID', 'SENTRY_CLIENT_SECRET', 'SENTRY_APP_SLUG'],
  optional: [],
  read: (env) => ({
    settings: {
      sentry: env['SENTRY_CLIENT_ID']
        ? { clientId: env['SENTRY_CLIENT_ID'], clientSecret: env['SENTRY_CLIENT_SECRET'] as string, appSlug: env['SENTRY_APP_SLUG'] as string }
        : undefined,
    },
    upstream: { sentryBaseUrl: stripSlash(env['SENTRY_BASE_URL'] ?? 'https://sentry.io') },
    legacy: {},
  }),
};
