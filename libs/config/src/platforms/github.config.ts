import { createPrivateKey } from 'node:crypto';
import { IsOptional, IsString, Matches, ValidateBy, ValidationOptions, buildMessage } from 'class-validator';
import { URL_MESSAGE, URL_PATTERN } from '../environment-variables';
import { PlatformConfig, PlatformConfigPart, stripSlash } from './platform-config';

function IsPemPrivateKey(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPemPrivateKey',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          try {
            createPrivateKey(normalisePem(value));
            return true;
          } catch {
            return false;
          }
        },
        defaultMessage: buildMessage((prefix) => `${prefix}$property must be a PEM private key (\\n escapes are accepted)`, options),
      },
    },
    options,
  );
}

/** PEM text from an environment variable, where newlines are often written as `\n`. */
export function normalisePem(value: string): string {
  return value.includes('\\n') ? value.replace(/\\n/g, '\n') : value;
}

/** GitHub's variables. */
export class GitHubEnvironmentVariables {
  @IsOptional() @Matches(/^\d+$/, { message: 'GITHUB_APP_ID must be the numeric app id' })
  GITHUB_APP_ID?: string;

  @IsOptional() @Matches(/^[a-z0-9][a-z0-9-]*$/i, { message: 'GITHUB_APP_NAME must be the app slug (letters, digits, dashes)' })
  GITHUB_APP_NAME?: string;

  @IsOptional() @IsString()
  GITHUB_CLIENT_ID?: string;

  @IsOptional() @IsString()
  GITHUB_CLIENT_SECRET?: string;

  @IsOptional() @IsPemPrivateKey()
  GITHUB_PRIVATE_KEY?: string;

  @IsOptional() @IsString()
  GITHUB_WEBHOOK_SECRET?: string;

  @IsOptional() @Matches(URL_PATTERN, { message: `GITHUB_BASE_URL ${URL_MESSAGE}` })
  GITHUB_BASE_URL?: string;

  @IsOptional() @Matches(URL_PATTERN, { message: `GITHUB_API_BASE_URL ${URL_MESSAGE}` })
  GITHUB_API_BASE_URL?: string;

  @IsOptional() @IsString()
  GITHUB_TOKEN?: string;

  /** Where agents reach github-api (read as AppConfig.publicUrl by that app). */
  @IsOptional() @Matches(URL_PATTERN, { message: `GITHUB_API_PUBLIC_URL ${URL_MESSAGE}` })
  GITHUB_API_PUBLIC_URL?: string;
}

export interface GitHubAppCredentials {
  appId: string;
  appName: string;
  clientId?: string;
  clientSecret?: string;
  privateKey: string;
  webhookSecret?: string;
}

type GitHubConfigPart = PlatformConfigPart<{ github?: GitHubAppCredentials }, { githubBaseUrl: string; githubApiBaseUrl: string }, { githubToken?: string }>;

/** GitHub App credentials, its hosts and the legacy single-org token. */
export const GITHUB_CONFIG: PlatformConfig<GitHubConfigPart> = {
  displayName: 'GitHub',
  variables: GitHubEnvironmentVariables,
  required: ['GITHUB_APP_ID', 'GITHUB_APP_NAME', 'GITHUB_PRIVATE_KEY'],
  optional: ['GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET', 'GITHUB_WEBHOOK_SECRET'],
  read: (env) => ({
    settings: {
      github: env['GITHUB_APP_ID']
        ? {
          appId: env['GITHUB_APP_ID'],
          appName: env['GITHUB_APP_NAME'] as string,
          clientId: env['GITHUB_CLIENT_ID'],
          clientSecret: env['GITHUB_CLIENT_SECRET'],
          privateKey: normalisePem(env['GITHUB_PRIVATE_KEY'] as string),
          webhookSecret: env['GITHUB_WEBHOOK_SECRET'],
        }
        : undefined,
    },
    upstream: {
      githubBaseUrl: stripSlash(env['GITHUB_BASE_URL'] ?? 'https://github.com'),
      githubApiBaseUrl: stripSlash(env['GITHUB_API_BASE_URL'] ?? 'https://api.github.com'),
    },
    legacy: { githubToken: env['GITHUB_TOKEN'] },
  }),
};
