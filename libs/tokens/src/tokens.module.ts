import { HealthEventsModule } from '@bot/health-events';
import { ObservabilityModule } from '@bot/observability';
import { Module } from '@nestjs/common';
import { InstallationChangeListener } from './installation-change.listener';
import { InstallationTokenRepository } from './installation-token.repository';
import { TokenCache } from './token-cache';
import { TokenCacheListenerRepository } from './token-cache-listener.repository';
import { TokenService } from './token.service';
import { TokenUsageRecorder } from './token-usage.recorder';

/**
 * TokenService with its cache, change listener and usage recorder; needs AppConfig, DatabaseModule and the
 * platform registry's PlatformsModule (ProviderRegistry, Clock) in scope.
 */
@Module({
  imports: [HealthEventsModule, ObservabilityModule],
  providers: [TokenService, TokenCache, InstallationChangeListener, InstallationTokenRepository, TokenCacheListenerRepository, TokenUsageRecorder],
  exports: [TokenService, TokenCache, InstallationChangeListener, TokenUsageRecorder],
})
export class TokensModule {}
