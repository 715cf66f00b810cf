import { TokensModule } from '@bot/tokens';
import { Module } from '@nestjs/common';
import { PassThroughService } from './pass-through.service';
import { ServiceApiKeyGuard } from './service-api-key.guard';
import { UpstreamTransport } from './upstream.transport';

/** The pass-through machinery of github-api, slack-api and jira-api; the app provides its PassThroughTarget. */
@Module({
  imports: [TokensModule],
  providers: [PassThroughService, UpstreamTransport, ServiceApiKeyGuard],
  exports: [PassThroughService, ServiceApiKeyGuard, TokensModule],
})
export class PassThroughModule {}
