import { ObservabilityModule } from '@bot/observability';
import { TokensModule } from '@bot/tokens';
import { Module } from '@nestjs/common';
import { PassThroughService } from './pass-through.service';
import { PublicBaseUrl } from './public-base-url';
import { ServiceApiKeyGuard } from './service-api-key.guard';
import { UpstreamTransport } from './upstream.transport';

/** The pass-through machinery of github-api, slack-api and jira-api; the app provides its PassThroughTarget. */
@Module({
  imports: [TokensModule, ObservabilityModule],
  providers: [PassThroughService, UpstreamTransport, ServiceApiKeyGuard, PublicBaseUrl],
  exports: [PassThroughService, ServiceApiKeyGuard, PublicBaseUrl, TokensModule],
})
export class PassThroughModule {}
