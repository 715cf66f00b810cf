import { ObservabilityModule } from '@bot/observability';
import { TokensModule } from '@bot/tokens';
import { Module } from '@nestjs/common';
import { PassThroughMount } from './pass-through.mount';
import { PassThroughService } from './pass-through.service';
import { PublicBaseUrl } from './public-base-url';
import { ServiceApiKeyCheck } from './service-api-key.check';
import { UpstreamTransport } from './upstream.transport';

/** The pass-through machinery of github-api, slack-api and jira-api; the app provides its PassThroughTarget. */
@Module({
  imports: [TokensModule, ObservabilityModule],
  providers: [PassThroughService, PassThroughMount, UpstreamTransport, ServiceApiKeyCheck, PublicBaseUrl],
  exports: [PassThroughService, PassThroughMount, PublicBaseUrl, TokensModule],
})
export class PassThroughModule {}
