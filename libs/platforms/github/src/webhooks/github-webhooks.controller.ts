import { RawBodyReader, WebhookAcceptedDto, webhookAnswer, WebhookController } from '@bot/webhooks';
import { HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { Request } from 'express';
import { GitHubWebhooksService } from './github-webhooks.service';

/** `POST /webhooks/github`: verify, route, queue durably, then answer. */
@WebhookController()
export class GitHubWebhooksController {
  constructor(
    private readonly bodies: RawBodyReader,
    private readonly github: GitHubWebhooksService,
  ) {}

  @Post('github')
  @HttpCode(200)
  @ApiOperation({ summary: 'GitHub App webhook deliveries (X-Hub-Signature-256 with GITHUB_WEBHOOK_SECRET)' })
  @ApiHeader({ name: 'X-Hub-Signature-256', required: true, description: 'sha256=<hex HMAC of the raw body>' })
  @ApiHeader({ name: 'X-GitHub-Event', required: true })
  @ApiHeader({ name: 'X-GitHub-Delivery', required: true, description: 'dedupe key' })
  @ApiBody({ schema: { type: 'object', additionalProperties: true } })
  @ApiOkResponse({ type: WebhookAcceptedDto })
  async receiveGitHub(@Req() request: Request): Promise<WebhookAcceptedDto> {
    return webhookAnswer(await this.github.receive(await this.bodies.read(request), request.headers), request);
  }
}
