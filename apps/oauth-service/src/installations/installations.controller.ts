import { BadRequestException, Body, Controller, Delete, Get, Header, Param, ParseUUIDPipe, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AdminApiKeyGuard } from './admin-api-key.guard';
import { InstallationView } from './dto/installation.view';
import { ListInstallationsQuery } from './dto/list-installations.query';
import { RevocationResultDto } from './dto/revocation-result.dto';
import { WebhookSecretDto } from './dto/webhook-secret.dto';
import { InstallationsService, WebhookSecretResult } from './installations.service';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException('id must be a UUID') });

/** Admin API over installations; every route needs the admin API key. */
@ApiTags('installations')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'Missing or wrong admin API key' })
@UseGuards(AdminApiKeyGuard)
@Controller('oauth/installations')
export class InstallationsController {
  constructor(private readonly installations: InstallationsService) {}

  @Get()
  @ApiOperation({ summary: 'List installations (no token or secret is ever included)' })
  async list(@Query() query: ListInstallationsQuery): Promise<{ installations: InstallationView[] }> {
    return { installations: await this.installations.list(query) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One installation' })
  @ApiResponse({ status: 404, description: 'Unknown id' })
  async show(@Param('id', uuid) id: string): Promise<{ installation: InstallationView }> {
    return { installation: await this.installations.show(id) };
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Revoke at the provider where possible, mark revoked, erase stored tokens; repeatable',
    description:
      'Answers once no running API process forwards the token any more: every process acknowledged, or its lease (TOKEN_CACHE_LEASE_MS) ran out. `token_caches` says which.',
  })
  @ApiResponse({ status: 200, type: RevocationResultDto })
  @ApiResponse({ status: 404, description: 'Unknown id' })
  revoke(@Param('id', uuid) id: string): Promise<RevocationResultDto> {
    return this.installations.revoke(id);
  }

  @Put(':id/webhook-secret')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Set (generate or accept) the admin-webhook secret of a Jira installation; answers it once with the URL to paste into Jira' })
  @ApiResponse({ status: 400, description: 'Not a platform with admin webhooks, or a malformed secret' })
  @ApiResponse({ status: 404, description: 'Unknown id' })
  @ApiResponse({ status: 409, description: 'The installation is revoked' })
  setWebhookSecret(@Param('id', uuid) id: string, @Body() body: WebhookSecretDto): Promise<WebhookSecretResult> {
    return this.installations.setWebhookSecret(id, body.secret);
  }

  @Delete(':id/webhook-secret')
  @ApiOperation({ summary: 'Clear the admin-webhook secret: deliveries to /webhooks/jira/:id are refused from now on' })
  @ApiResponse({ status: 404, description: 'Unknown id' })
  clearWebhookSecret(@Param('id', uuid) id: string): Promise<{ success: true; installation_id: string; cleared: boolean }> {
    return this.installations.clearWebhookSecret(id);
  }
}
