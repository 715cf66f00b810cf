import { PLATFORM_MODULES } from '@bot/platforms';
import { Module } from '@nestjs/common';

/**
 * `POST /webhooks/<platform>…` of every registered platform: each platform's webhook part brings its
 * controller (verification, routing, lifecycle) and shares one durable intake (libs/webhooks).
 */
@Module({
  imports: PLATFORM_MODULES.map((entry) => entry.webhooks),
})
export class WebhooksModule {}
