import { IsOptional, IsString, Matches } from 'class-validator';
import { URL_MESSAGE, URL_PATTERN } from '../environment-variables';
import { PlatformConfig, stripSlash } from './platform-config';

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
}

/** Atlassian OAuth app credentials, Atlassian's hosts and the legacy single-site API token. */
export const JIRA_CONFIG: PlatformConfig = {
  displayName: 'Jira',
  variables: JiraEnvironmentVariables,
  required: ['JIRA_CLIENT_ID', 'JIRA_CLIENT_SECRET'],
  optional: [],
  read: (env) => ({
    jira: env['JIRA_CLIENT_ID'] ? { clientId: env['JIRA_CLIENT_ID'], clientSecret: env['JIRA_CLIENT_SECRET'] as string } : undefined,
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
};
