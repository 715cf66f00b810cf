import { parseEncryptionKey } from '@bot/crypto';
import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNumber,
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

export const URL_PATTERN = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/;
export const URL_MESSAGE = 'must be an http(s) URL without query or fragment';
const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
/** Values an on/off variable accepts. */
export const SWITCH_VALUES = ['true', 'false', 'on', 'off', '1', '0'];

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

/** The raw environment as the apps read it, except each platform's own variables (libs/config/src/platforms); names are SPEC's variable names. */
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

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(65535)
  SENTRY_API_PORT?: number;

  @IsOptional() @Matches(URL_PATTERN, { message: `BASE_URL ${URL_MESSAGE}` })
  BASE_URL?: string;

  @IsOptional() @Matches(URL_PATTERN, { message: `WEBHOOK_PUBLIC_BASE_URL ${URL_MESSAGE}` })
  WEBHOOK_PUBLIC_BASE_URL?: string;

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

  @IsOptional() @IsIn(['auto', 'off'], { message: 'SANDBOX must be auto or off' })
  SANDBOX?: string;

  @IsOptional() @IsString() @MinLength(1)
  SANDBOX_DIR?: string;

  @IsOptional() @IsIn(['error', 'warn', 'log', 'debug', 'verbose'], { message: 'LOG_LEVEL must be one of error, warn, log, debug, verbose' })
  LOG_LEVEL?: string;

  @IsOptional() @IsIn(['json', 'pretty'], { message: 'LOG_FORMAT must be json or pretty' })
  LOG_FORMAT?: string;

  @IsOptional() @IsIn(SWITCH_VALUES, { message: `LOG_REQUESTS must be one of ${SWITCH_VALUES.join(', ')}` })
  LOG_REQUESTS?: string;

  @IsOptional() @IsIn(SWITCH_VALUES, { message: `METRICS_ENABLED must be one of ${SWITCH_VALUES.join(', ')}` })
  METRICS_ENABLED?: string;

  @IsOptional() @IsString() @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;

  @IsOptional() @Matches(URL_PATTERN, { message: `OTEL_EXPORTER_OTLP_ENDPOINT ${URL_MESSAGE}` })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value))) @IsNumber({}, { message: 'OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1' }) @Min(0) @Max(1)
  OTEL_TRACES_SAMPLER_ARG?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(120000)
  UPSTREAM_TIMEOUT_MS?: number;

  @IsOptional() @Matches(/^https?:\/\/[^\s,]+(,\s*https?:\/\/[^\s,]+)*$/, { message: 'OAUTH_RETURN_TO_ALLOWLIST must be comma-separated http(s) URL prefixes' })
  OAUTH_RETURN_TO_ALLOWLIST?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100000)
  OAUTH_RATE_LIMIT_PER_MINUTE?: number;

  @IsOptional() @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;


  @IsOptional() @Matches(/^\d+(b|kb|mb)$/i, { message: 'BODY_LIMIT must look like 512kb or 1mb' })
  BODY_LIMIT?: string;

  @IsOptional() @Matches(/^\d+(b|kb|mb)$/i, { message: 'PROXY_BODY_LIMIT must look like 512kb or 25mb' })
  PROXY_BODY_LIMIT?: string;

  @IsOptional() @Matches(/^\d+(b|kb|mb)$/i, { message: 'WEBHOOK_BODY_LIMIT must look like 512kb or 25mb' })
  WEBHOOK_BODY_LIMIT?: string;

  @IsOptional() @IsIn(['true', 'false', '1', '0'], { message: 'TRUST_PROXY must be true or false' })
  TRUST_PROXY?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(500) @Max(60000)
  TOKEN_CACHE_LEASE_MS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1000, { message: 'ADMIN_LOGIN_RATE_LIMIT_PER_MINUTE must be between 1 and 1000' })
  ADMIN_LOGIN_RATE_LIMIT_PER_MINUTE?: number;

  @IsOptional() @Matches(/^https?:\/\/[^\s,@]+(,\s*https?:\/\/[^\s,@]+)*$/, { message: 'EVENT_WEBHOOK_URLS must be comma-separated http(s) URLs without credentials' })
  EVENT_WEBHOOK_URLS?: string;

  @IsOptional() @IsString() @MinLength(16, { message: 'EVENT_WEBHOOK_SECRET must be at least 16 characters' })
  EVENT_WEBHOOK_SECRET?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(120000, { message: 'EVENT_WEBHOOK_TIMEOUT_MS must be between 100 and 120000' })
  EVENT_WEBHOOK_TIMEOUT_MS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(10) @Max(3600000, { message: 'EVENT_WEBHOOK_RETRY_BASE_MS must be between 10 and 3600000' })
  EVENT_WEBHOOK_RETRY_BASE_MS?: number;
}

/** Names of the variables a validation class declares, in declaration order. */
export function declaredVariableNames(target: new () => object): string[] {
  const names = getMetadataStorage()
    .getTargetValidationMetadatas(target, '', true, false)
    .map((metadata) => metadata.propertyName);
  return [...new Set(names)];
}
