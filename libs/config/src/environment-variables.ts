import { parseEncryptionKey } from '@bot/crypto';
import { Transform } from 'class-transformer';
import { createPrivateKey } from 'node:crypto';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  ValidationOptions,
  buildMessage,
  getMetadataStorage,
} from 'class-validator';

const URL_PATTERN = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/;
const URL_MESSAGE = 'must be an http(s) URL without query or fragment';
const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

function IsEncryptionKeyList(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isEncryptionKeyList',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          try {
            value.split(',').filter((part) => part.trim() !== '').forEach(parseEncryptionKey);
            return true;
          } catch {
            return false;
          }
        },
        defaultMessage: buildMessage(
          (prefix) => `${prefix}$property must be 32 random bytes as base64 or base64url (44 characters), comma-separated for several keys`,
          options,
        ),
      },
    },
    options,
  );
}

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

/** The raw environment as the apps read it; names are SPEC's variable names. */
export class EnvironmentVariables {
  @IsOptional() @IsIn(['development', 'production', 'test'])
  NODE_ENV?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(65535)
  PORT?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(65535)
  OAUTH_SERVICE_PORT?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(65535)
  API_GATEWAY_PORT?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(65535)
  GITHUB_API_PORT?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(65535)
  JIRA_API_PORT?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(65535)
  SLACK_API_PORT?: number;

  @IsOptional() @Matches(URL_PATTERN, { message: `BASE_URL ${URL_MESSAGE}` })
  BASE_URL?: string;

  @IsOptional() @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(65535)
  EMBEDDED_POSTGRES_PORT?: number;

  @IsOptional() @IsString() @MinLength(1)
  EMBEDDED_POSTGRES_DIR?: string;

  @IsOptional() @IsEncryptionKeyList({ message: 'TOKEN_ENCRYPTION_KEY must be 32 random bytes as base64 or base64url (44 characters)' })
  TOKEN_ENCRYPTION_KEY?: string;

  @IsOptional() @IsEncryptionKeyList()
  TOKEN_ENCRYPTION_PREVIOUS_KEYS?: string;

  @IsOptional() @IsString() @MinLength(16, { message: 'ADMIN_API_KEY must be at least 16 characters' })
  ADMIN_API_KEY?: string;

  @IsOptional() @IsString() @MinLength(16, { message: 'SERVICE_API_KEY must be at least 16 characters' })
  SERVICE_API_KEY?: string;

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

  @IsOptional() @IsString()
  SLACK_CLIENT_ID?: string;

  @IsOptional() @IsString()
  SLACK_CLIENT_SECRET?: string;

  @IsOptional() @IsString()
  SLACK_SIGNING_SECRET?: string;

  @IsOptional() @IsString()
  SLACK_STATE_SECRET?: string;

  @IsOptional() @IsString()
  JIRA_CLIENT_ID?: string;

  @IsOptional() @IsString()
  JIRA_CLIENT_SECRET?: string;

  @IsOptional() @Matches(URL_PATTERN, { message: `GITHUB_BASE_URL ${URL_MESSAGE}` })
  GITHUB_BASE_URL?: string;

  @IsOptional() @Matches(URL_PATTERN, { message: `GITHUB_API_BASE_URL ${URL_MESSAGE}` })
  GITHUB_API_BASE_URL?: string;

  @IsOptional() @Matches(URL_PATTERN, { message: `SLACK_BASE_URL ${URL_MESSAGE}` })
  SLACK_BASE_URL?: string;

  @IsOptional() @Matches(URL_PATTERN, { message: `ATLASSIAN_AUTH_BASE_URL ${URL_MESSAGE}` })
  ATLASSIAN_AUTH_BASE_URL?: string;

  @IsOptional() @Matches(URL_PATTERN, { message: `ATLASSIAN_API_BASE_URL ${URL_MESSAGE}` })
  ATLASSIAN_API_BASE_URL?: string;

  @IsOptional() @IsString()
  GITHUB_TOKEN?: string;

  @IsOptional() @IsString()
  SLACK_BOT_TOKEN?: string;

  @IsOptional() @IsString()
  JIRA_API_TOKEN?: string;

  @IsOptional() @Matches(URL_PATTERN, { message: `JIRA_BASE_URL ${URL_MESSAGE}` })
  JIRA_BASE_URL?: string;

  @IsOptional() @IsString()
  JIRA_EMAIL?: string;

  @IsOptional() @IsIn(['auto', 'off'], { message: 'SANDBOX must be auto or off' })
  SANDBOX?: string;

  @IsOptional() @IsIn(['error', 'warn', 'log', 'debug', 'verbose'], { message: 'LOG_LEVEL must be one of error, warn, log, debug, verbose' })
  LOG_LEVEL?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(120000)
  UPSTREAM_TIMEOUT_MS?: number;

  @IsOptional() @Matches(/^https?:\/\/[^\s,]+(,\s*https?:\/\/[^\s,]+)*$/, { message: 'OAUTH_RETURN_TO_ALLOWLIST must be comma-separated http(s) URL prefixes' })
  OAUTH_RETURN_TO_ALLOWLIST?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100000)
  OAUTH_RATE_LIMIT_PER_MINUTE?: number;

  @IsOptional() @Matches(/^\d+(b|kb|mb)$/i, { message: 'BODY_LIMIT must look like 512kb or 1mb' })
  BODY_LIMIT?: string;

  @IsOptional() @Matches(/^\d+(b|kb|mb)$/i, { message: 'PROXY_BODY_LIMIT must look like 512kb or 25mb' })
  PROXY_BODY_LIMIT?: string;

  @IsOptional() @Matches(/^\d+(b|kb|mb)$/i, { message: 'WEBHOOK_BODY_LIMIT must look like 512kb or 25mb' })
  WEBHOOK_BODY_LIMIT?: string;
}

/** Every variable the apps read, in declaration order. */
export function environmentVariableNames(): string[] {
  const names = getMetadataStorage()
    .getTargetValidationMetadatas(EnvironmentVariables, '', true, false)
    .map((metadata) => metadata.propertyName);
  return [...new Set(names)];
}
