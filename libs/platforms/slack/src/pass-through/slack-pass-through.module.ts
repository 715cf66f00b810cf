import { PassThroughModule, PassThroughTarget, passThroughController } from '@bot/pass-through';
import { Module } from '@nestjs/common';
import { SlackPassThroughTarget } from './slack-pass-through.target';

/** `ANY /api/:method` → the Slack Web API with the installation's bot token. */
@Module({
  imports: [PassThroughModule],
  controllers: [
    passThroughController({
      path: 'api/:method',
      tag: 'slack',
      errors: 'Refusals are Slack-shaped: HTTP 200 `{ ok: false, error, message, code }` (413 stays 413); see the README mapping table',
      summary: 'Forward a Slack Web API method to SLACK_BASE_URL/api/:method with the bot token',
    }),
  ],
  providers: [{ provide: PassThroughTarget, useClass: SlackPassThroughTarget }],
})
export class SlackPassThroughModule {}
