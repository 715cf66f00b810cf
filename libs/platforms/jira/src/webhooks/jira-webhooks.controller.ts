import { RawBodyReader, WebhookAcceptedDto, webhookAnswer, WebhookController } from '@bot/webhooks';
import { HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { Request } from 'express';
import { JiraWebhooksService } from './jira-webhooks.service';

const anyJson = { schema: { type: 'object' as const, additionalProperties: true } };

/** `POST /webhooks/jira` (dynamic webhooks of the app) and `/webhooks/jira/:installationId` (admin webhooks). */
@WebhookController()
export class JiraWebhooksController {
  constructor(
    private readonly bodies: RawBodyReader,
    private readonly jira: JiraWebhooksService,
  ) {}

  @Post('jira')
  @HttpCode(200)
  @ApiOperation({ summary: 'Jira dynamic webhooks of the OAuth 2.0 app (Authorization: Bearer <HS256 JWT signed with JIRA_CLIENT_SECRET>)' })
  @ApiHeader({ name: 'Authorization', required: true, description: 'Bearer <JWT>' })
  @ApiBody(anyJson)
  @ApiOkResponse({ type: WebhookAcceptedDto })
  async receiveJira(@Req() request: Request): Promise<WebhookAcceptedDto> {
    return webhookAnswer(await this.jira.receiveAppWebhook(await this.bodies.read(request), request.headers), request);
  }

  @Post('jira/:installationId')
  @HttpCode(200)
  @ApiOperation({ summary: "Jira admin webhooks of one installation (X-Hub-Signature with that installation's webhook secret)" })
  @ApiHeader({ name: 'X-Hub-Signature', required: true, description: 'sha256=<hex HMAC of the raw body>' })
  @ApiBody(anyJson)
  @ApiOkResponse({ type: WebhookAcceptedDto })
  async receiveJiraAdmin(@Param('installationId') installationId: string, @Req() request: Request): Promise<WebhookAcceptedDto> {
    return webhookAnswer(await this.jira.receiveAdminWebhook(installationId, await this.bodies.read(request), request.headers), request);
  }
}
