import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { URL_MESSAGE, URL_PATTERN } from '../environment-variables';
import { PlatformConfig, PlatformConfigPart, stripSlash } from './platform-config';

/** Jira's (and Atlassian's) variables. */
export class JiraEnvironmentVariables {
  @IsOptional() @IsString()
  JIRA_CLIENT_ID?: string;

  @IsOptional() @IsString()
  JIRA_CLIENT_SECRET?: string;

  @IsOptional() @Matches(URL_PATTERN, { message: `ATLASSIAN_AUTH_BASE_URL ${URL_MESSAGE}` })
  ATLASSIAN_AUTH_BASE_URL?: string;

  @IsOptional() @Matches(URL_PATTERN, { message: `ATLASSIAN_API_BASE_URL ${URL_MESSAGE}` })
  ATLASSIAN_API_BASE_URL?: string;

  @IsOptional() @IsString()
  JIRA_API_TOKEN?: string;

  @IsOptional() @Matches(URL_PATTERN, { message: `JIRA_BASE_URL ${URL_MESSAGE}` })
  JIRA_BASE_URL?: string;

  @IsOptional() @IsString()
  JIRA_EMAIL?: string;

  /** Where agents reach jira-api (read as AppConfig.publicUrl by that app). */
  @IsOptional() @Matches(URL_PATTERN, { message: `JIRA_API_PUBLIC_URL ${URL_MESSAGE}` })
  JIRA_API_PUBLIC_URL?: string;

  @IsOptional() @Matches(/^\s*[a-z_:]{1,64}(\s*,\s*[a-z_:]{1,64})*\s*$/, { message: 'JIRA_WEBHOOK_EVENTS must be comma-separated Jira webhook event names (e.g. jira:issue_created,comment_created)' })
  JIRA_WEBHOOK_EVENTS?: string;

  @IsOptional() @IsString() @MinLength(1)
  JIRA_WEBHOOK_JQL?: string;

  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value))) @IsInt() @Min(0) @Max(86_400_000)
  JIRA_WEBHOOK_RENEWAL_INTERVAL_MS?: number;
}

/** Issue created/updated/deleted and comment created/updated: what the bot acts on. */
export const DEFAULT_JIRA_WEBHOOK_EVENTS = ['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted', 'comment_created', 'comment_updated'];
/**
 * Every issue. Dynamic-webhook JQL accepts only `=`, `!=`, `IN`, `NOT IN` on a few fields and refuses an empty
 * filter; `project != null` is the all-issues filter an integrator confirmed against Jira Cloud's live endpoint.
 */
export const DEFAULT_JIRA_WEBHOOK_JQL = 'project != null';

export interface JiraAppCredentials {
  clientId: string;
  clientSecret: string;
  /** The dynamic webhooks registered per site on install (`JIRA_WEBHOOK_EVENTS`, `JIRA_WEBHOOK_JQL`) and their renewal. */
  webhooks: { events: string[]; jqlFilter: string; renewalIntervalMs: number };
}

type JiraConfigPart = PlatformConfigPart<
  { jira?: JiraAppCredentials },
  { atlassianAuthBaseUrl: string; atlassianApiBaseUrl: string },
  { jiraApiToken?: string; jiraBaseUrl?: string; jiraEmail?: string }
>;

/** Atlassian OAuth app credentials, Atlassian's hosts and the legacy single-site API token. */
export const JIRA_CONFIG: PlatformConfig<JiraConfigPart> = {
  displayName: 'Jira',
  variables: JiraEnvironmentVariables,
  required: ['JIRA_CLIENT_ID', 'JIRA_CLIENT_SECRET'],
  optional: [],
  read: (env) => ({
    settings: {
      jira: env['JIRA_CLIENT_ID']
        ? {
            clientId: env['JIRA_CLIENT_ID'],
            clientSecret: env['JIRA_CLIENT_SECRET'] as string,
            webhooks: {
              events: env['JIRA_WEBHOOK_EVENTS'] ? env['JIRA_WEBHOOK_EVENTS'].split(',').map((event) => event.trim()) : DEFAULT_JIRA_WEBHOOK_EVENTS,
              jqlFilter: env['JIRA_WEBHOOK_JQL']?.trim() || DEFAULT_JIRA_WEBHOOK_JQL,
              renewalIntervalMs: Number(env['JIRA_WEBHOOK_RENEWAL_INTERVAL_MS'] ?? 1_800_000),
            },
          }
        : undefined,
    },
    upstream: {
      atlassianAuthBaseUrl: stripSlash(env['ATLASSIAN_AUTH_BASE_URL'] ?? 'https://auth.atlassian.com'),
      atlassianApiBaseUrl: stripSlash(env['ATLASSIAN_API_BASE_URL'] ?? 'https://api.atlassian.com'),
    },
    legacy: {
      jiraApiToken: env['JIRA_API_TOKEN'],
      jiraBaseUrl: env['JIRA_BASE_URL'] ? stripSlash(env['JIRA_BASE_URL']) : undefined,
      jiraEmail: env['JIRA_EMAIL'],
    },
  }),
  // Registering webhooks at a guessed URL would fail silently: production names the gateway's public origin.
  problems: (env, production) =>
    production && env['JIRA_CLIENT_ID'] && !env['WEBHOOK_PUBLIC_BASE_URL']
      ? ['WEBHOOK_PUBLIC_BASE_URL is required when NODE_ENV=production and Jira is configured (Jira dynamic webhooks are registered at <it>/webhooks/jira)']
      : [],
};
