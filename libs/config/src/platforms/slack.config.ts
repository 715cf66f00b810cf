import { IsOptional, IsString, Matches } from 'class-validator';
import { URL_MESSAGE, URL_PATTERN } from '../environment-variables';
import { PlatformConfig, PlatformConfigPart, stripSlash } from './platform-config';

/** Slack's variables. */
export class SlackEnvironmentVariables {
  @IsOptional() @IsString()
  SLACK_CLIENT_ID?: string;

  @IsOptional() @IsString()
  SLACK_CLIENT_SECRET?: string;

  @IsOptional() @IsString()
  SLACK_SIGNING_SECRET?: string;

  @IsOptional() @IsString()
  SLACK_STATE_SECRET?: string;

  @IsOptional() @Matches(URL_PATTERN, { message: `SLACK_BASE_URL ${URL_MESSAGE}` })
  SLACK_BASE_URL?: string;

  @IsOptional() @IsString()
  SLACK_BOT_TOKEN?: string;

  /** Where agents reach slack-api (read as AppConfig.publicUrl by that app). */
  @IsOptional() @Matches(URL_PATTERN, { message: `SLACK_API_PUBLIC_URL ${URL_MESSAGE}` })
  SLACK_API_PUBLIC_URL?: string;
}

export interface SlackAppCredentials {
  clientId: string;
  clientSecret: string;
  signingSecret?: string;
  stateSecret?: string;
}

type SlackConfigPart = PlatformConfigPart<{ slack?: SlackAppCredentials }, { slackBaseUrl: string }, { slackBotToken?: string }>;

/** Slack app credentials, its host and the legacy single-workspace bot token. */
export const SLACK_CONFIG: PlatformConfig<SlackConfigPart> = {
  displayName: 'Slack',
  variables: SlackEnvironmentVariables,
  required: ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET'],
  optional: ['SLACK_SIGNING_SECRET', 'SLACK_STATE_SECRET'],
  read: (env) => ({
    settings: {
      slack: env['SLACK_CLIENT_ID']
        ? {
            clientId: env['SLACK_CLIENT_ID'],
            clientSecret: env['SLACK_CLIENT_SECRET'] as string,
            signingSecret: env['SLACK_SIGNING_SECRET'],
            stateSecret: env['SLACK_STATE_SECRET'],
          }
        : undefined,
    },
    upstream: { slackBaseUrl: stripSlash(env['SLACK_BASE_URL'] ?? 'https://slack.com') },
    legacy: { slackBotToken: env['SLACK_BOT_TOKEN'] },
  }),
};
