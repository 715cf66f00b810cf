import { Controller, HttpCode, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { GitHubWebhooksService } from '@bot/platform-github';
import { JiraWebhooksService } from '@bot/platform-jira';
import { SlackWebhooksService } from '@bot/platform-slack';
import { AcceptedDelivery, RawBodyReader, SlackChallengeDto, WebhookAcceptedDto, WebhookErrorDto, WebhookExceptionFilter } from '@bot/webhooks';

const anyJson = { schema: { type: 'object', additionalProperties: true } };

/** Where the platforms deliver: verify, route, queue durably, then answer. */
@ApiTags('webhooks')
@ApiExtraModels(WebhookErrorDto)
@ApiResponse({ status: 400, description: 'Verified, but the body is not valid JSON / form', type: WebhookErrorDto })
@ApiResponse({ status: 401, description: 'Missing or invalid signature; nothing stored', type: WebhookErrorDto })
@ApiResponse({ status: 413, description: 'Body over WEBHOOK_BODY_LIMIT', type: WebhookErrorDto })
@UseFilters(WebhookExceptionFilter)
@Controller('webhooks')
export class WebhooksController {
  constructor(
    private readonly bodies: RawBodyReader,
    private readonly github: GitHubWebhooksService,
    private readonly slack: SlackWebhooksService,
    private readonly jira: JiraWebhooksService,
  ) {}

  @Post('github')
  @HttpCode(200)
  @ApiOperation({ summary: 'GitHub App webhook deliveries (X-Hub-Signature-256 with GITHUB_WEBHOOK_SECRET)' })
  @ApiHeader({ name: 'X-Hub-Signature-256', required: true, description: 'sha256=<hex HMAC of the raw body>' })
  @ApiHeader({ name: 'X-GitHub-Event', required: true })
  @ApiHeader({ name: 'X-GitHub-Delivery', required: true, description: 'dedupe key' })
  @ApiBody(anyJson)
  @ApiOkResponse({ type: WebhookAcceptedDto })
  async receiveGitHub(@Req() request: Request): Promise<WebhookAcceptedDto> {
    return answer(await this.github.receive(await this.bodies.read(request), request.headers));
  }

  @Post('slack')
  @HttpCode(200)
  @ApiOperation({ summary: 'Slack Events API (JSON), interactivity and slash commands (form); v0 signature with SLACK_SIGNING_SECRET' })
  @ApiHeader({ name: 'X-Slack-Signature', required: true, description: 'v0=<hex HMAC of v0:{timestamp}:{raw body}>' })
  @ApiHeader({ name: 'X-Slack-Request-Timestamp', required: true, description: 'within 5 minutes of now' })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody(anyJson)
  @ApiOkResponse({
    description: 'url_verification: the challenge; events: the queued task; interactivity and commands: an empty body',
    schema: { oneOf: [{ $ref: getSchemaPath(WebhookAcceptedDto) }, { $ref: getSchemaPath(SlackChallengeDto) }] },
  })
  @ApiExtraModels(WebhookAcceptedDto, SlackChallengeDto)
  async receiveSlack(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<WebhookAcceptedDto | SlackChallengeDto | undefined> {
    const result = await this.slack.receive(await this.bodies.read(request), request.headers);
    if (result.kind === 'challenge') return { challenge: result.challenge };
    if (result.kind === 'event') return answer(result.accepted);
    // An empty 200 is Slack's plain acknowledgement; any body would be posted back to the user as a message.
    response.status(200);
    return undefined;
  }

  @Post('jira')
  @HttpCode(200)
  @ApiOperation({ summary: 'Jira dynamic webhooks of the OAuth 2.0 app (Authorization: Bearer <HS256 JWT signed with JIRA_CLIENT_SECRET>)' })
  @ApiHeader({ name: 'Authorization', required: true, description: 'Bearer <JWT>' })
  @ApiBody(anyJson)
  @ApiOkResponse({ type: WebhookAcceptedDto })
  async receiveJira(@Req() request: Request): Promise<WebhookAcceptedDto> {
    return answer(await this.jira.receiveAppWebhook(await this.bodies.read(request), request.headers));
  }

  @Post('jira/:installationId')
  @HttpCode(200)
  @ApiOperation({ summary: "Jira admin webhooks of one installation (X-Hub-Signature with that installation's webhook secret)" })
  @ApiHeader({ name: 'X-Hub-Signature', required: true, description: 'sha256=<hex HMAC of the raw body>' })
  @ApiBody(anyJson)
  @ApiOkResponse({ type: WebhookAcceptedDto })
  async receiveJiraAdmin(@Param('installationId') installationId: string, @Req() request: Request): Promise<WebhookAcceptedDto> {
    return answer(await this.jira.receiveAdminWebhook(installationId, await this.bodies.read(request), request.headers));
  }
}

function answer(accepted: AcceptedDelivery): WebhookAcceptedDto {
  return { ok: true, duplicate: accepted.duplicate, task_id: accepted.taskId };
}
