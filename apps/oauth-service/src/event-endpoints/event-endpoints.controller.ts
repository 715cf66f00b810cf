import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AdminApiKeyGuard } from '../installations/admin-api-key.guard';
import { CreateEventEndpointDto, EventEndpointView } from './dto/create-event-endpoint.dto';
import { EventEndpointsService } from './event-endpoints.service';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException('id must be a UUID') });

/** Admin API of the endpoints that receive signed health events (docs/events.md). */
@ApiTags('event-endpoints')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'Missing or wrong admin API key' })
@UseGuards(AdminApiKeyGuard)
@Controller('oauth/event-endpoints')
export class EventEndpointsController {
  constructor(private readonly endpoints: EventEndpointsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Register an endpoint; the answer carries its signing secret, shown this once only' })
  @ApiResponse({ status: 201, description: '{ endpoint: { id, url, source, description, created_at, secret } }' })
  @ApiResponse({ status: 400, description: 'Not an http(s) URL, or credentials in it' })
  @ApiResponse({ status: 409, description: 'The URL is already registered' })
  async create(@Body() body: CreateEventEndpointDto): Promise<{ endpoint: EventEndpointView & { secret: string } }> {
    return { endpoint: await this.endpoints.create(body) };
  }

  @Get()
  @ApiOperation({ summary: 'List endpoints (admin ones and those of EVENT_WEBHOOK_URLS), never a secret' })
  async list(): Promise<{ endpoints: EventEndpointView[] }> {
    return { endpoints: await this.endpoints.list() };
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete an admin endpoint and its undelivered deliveries' })
  @ApiResponse({ status: 404, description: 'Unknown id' })
  @ApiResponse({ status: 409, description: 'The endpoint comes from EVENT_WEBHOOK_URLS' })
  delete(@Param('id', uuid) id: string): Promise<{ deleted: true; id: string }> {
    return this.endpoints.delete(id);
  }
}
