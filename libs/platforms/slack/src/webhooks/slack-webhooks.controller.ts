import { RawBodyReader, SlackChallengeDto, WebhookAcceptedDto, webhookAnswer, WebhookController } from '@bot/webhooks';
import { HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, getSchemaPath } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { SlackWebhooksService } from './slack-webhooks.service';

/** `POST /webhooks/slack`: Events API, interactivity and slash commands. */
@WebhookController()
export class SlackWebhooksController {
  constructor(
    private readonly bodies: RawBodyReader,
    private readonly slack: SlackWebhooksService,
  ) {}

  @Post('slack')
  @HttpCode(200)
  @ApiOperation({ summary: 'Slack Events API (JSON), interactivity and slash commands (form); v0 signature with SLACK_SIGNING_SECRET' })
  @ApiHeader({ name: 'X-Slack-Signature', required: true, description: 'v0=<hex HMAC of v0:{timestamp}:{raw body}>' })
  @ApiHeader({ name: 'X-Slack-Request-Timestamp', required: true, description: 'within 5 minutes of now' })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ schema: { type: 'object', additionalProperties: true } })
  @ApiOkResponse({
    description: 'url_verification: the challenge; events: the queued task; interactivity and commands: an empty body',
    schema: { oneOf: [{ $ref: getSchemaPath(WebhookAcceptedDto) }, { $ref: getSchemaPath(SlackChallengeDto) }] },
  })
  @ApiExtraModels(WebhookAcceptedDto, SlackChallengeDto)
  async receiveSlack(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<WebhookAcceptedDto | SlackChallengeDto | undefined> {
    const result = await this.slack.receive(await this.bodies.read(request), request.headers);
    if (result.kind === 'challenge') return { challenge: result.challenge };
    if (result.kind === 'event') return webhookAnswer(result.accepted, request);
    webhookAnswer(result.accepted, request);
    // An empty 200 is Slack's plain acknowledgement; any body would be posted back to the user as a message.
    response.status(200);
    return undefined;
  }
}
