import { AppConfig } from '@bot/config';
import { AuditEventRepository, AuditRecord, Platform } from '@bot/installations';
import { Clock } from '@bot/providers';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InstallationTokenRepository } from './installation-token.repository';

/** One call made with an installation's token (or the legacy env token when `installationId` is null). */
export interface TokenUse {
  installationId: string | null;
  platform: Platform;
  method: string;
  /** Path without the query string (queries may carry user data). */
  path: string;
  status: number;
}

const LAST_USED_INTERVAL_MS = 60_000;
const AUDIT_INTERVAL_MS = 1_000;
const AUDIT_BATCH = 500;

/**
 * Records token use off the request path: `last_used_at` at most once a minute per installation, and one
 * `token.used` audit event per call, written in batches. Both are flushed on shutdown; a crash loses at most
 * the last second of audit events and the last minute of last-used times.
 */
@Injectable()
export class TokenUsageRecorder implements OnModuleDestroy {
  private readonly logger = new Logger(TokenUsageRecorder.name);
  private lastUsed = new Map<string, Date>();
  private audit: AuditRecord[] = [];
  private readonly lastUsedTimer: NodeJS.Timeout;
  private readonly auditTimer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: AppConfig,
    private readonly tokens: InstallationTokenRepository,
    private readonly auditEvents: AuditEventRepository,
    private readonly clock: Clock,
  ) {
    this.lastUsedTimer = setInterval(() => void this.flushLastUsed(), LAST_USED_INTERVAL_MS).unref();
    this.auditTimer = setInterval(() => void this.flushAudit(), AUDIT_INTERVAL_MS).unref();
  }

  /** Notes one token use. */
  record(use: TokenUse): void {
    const at = this.clock.now();
    if (use.installationId) this.lastUsed.set(use.installationId, at);
    this.audit.push({
      event: 'token.used',
      platform: use.platform,
      installationId: use.installationId,
      actor: this.config.appName,
      occurredAt: at,
      detail: { method: use.method, path: use.path.slice(0, 512), status: use.status, ...(use.installationId ? {} : { legacy_token: true }) },
    });
    if (this.audit.length >= AUDIT_BATCH) void this.flushAudit();
  }

  /** Writes everything pending now. */
  async flush(): Promise<void> {
    await Promise.all([this.flushLastUsed(), this.flushAudit()]);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.lastUsedTimer);
    clearInterval(this.auditTimer);
    await this.flush();
  }

  private flushLastUsed(): Promise<void> {
    const times = this.lastUsed;
    if (times.size === 0) return Promise.resolve();
    this.lastUsed = new Map();
    return this.tokens.recordLastUsed(times).catch((error: Error) => this.logger.warn(`last_used_at not written: ${error.message}`));
  }

  private flushAudit(): Promise<void> {
    const records = this.audit;
    if (records.length === 0) return this.flushing;
    this.audit = [];
    // One batch at a time keeps the order of events and the pool free for requests.
    this.flushing = this.flushing
      .then(() => this.auditEvents.recordMany(records))
      .catch((error: Error) => this.logger.warn(`${records.length} token.used audit events not written: ${error.message}`));
    return this.flushing;
  }
}
