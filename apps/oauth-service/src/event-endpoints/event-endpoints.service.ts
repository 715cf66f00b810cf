import { DuplicateEndpointError, HealthEventEndpointRepository, HealthEventSigner } from '@bot/health-events';
import { HealthEventEndpoint } from '@bot/installations';
import { ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { CreateEventEndpointDto, EventEndpointView } from './dto/create-event-endpoint.dto';

/** Operators' event endpoints through the admin API: each gets its own signing secret, shown once. */
@Injectable()
export class EventEndpointsService {
  private readonly logger = new Logger('EventEndpoints');

  constructor(
    private readonly endpoints: HealthEventEndpointRepository,
    private readonly signer: HealthEventSigner,
  ) {}

  /** Registers an endpoint; the answer is the only place its secret ever appears. 409 for a URL already registered. */
  async create(body: CreateEventEndpointDto): Promise<EventEndpointView & { secret: string }> {
    const secret = this.signer.newSecret();
    try {
      const endpoint = await this.endpoints.create({ url: body.url, secret, description: body.description ?? null });
      this.logger.log(`event endpoint ${endpoint.id} registered (${new URL(endpoint.url).origin})`);
      return { ...toView(endpoint), secret };
    } catch (error) {
      if (error instanceof DuplicateEndpointError) throw new ConflictException(error.message);
      throw error;
    }
  }

  /** Every endpoint, without secrets. */
  async list(): Promise<EventEndpointView[]> {
    return (await this.endpoints.list()).map(toView);
  }

  /** Deletes an admin endpoint with its pending deliveries; 404 unknown, 409 for one from EVENT_WEBHOOK_URLS. */
  async delete(id: string): Promise<{ deleted: true; id: string }> {
    const endpoint = await this.endpoints.findById(id);
    if (!endpoint) throw new NotFoundException(`event endpoint ${id} not found`);
    if (endpoint.source === 'env') throw new ConflictException(`event endpoint ${id} comes from EVENT_WEBHOOK_URLS; remove it there`);
    await this.endpoints.delete(id);
    this.logger.log(`event endpoint ${id} deleted`);
    return { deleted: true, id };
  }
}

function toView(endpoint: HealthEventEndpoint): EventEndpointView {
  return { id: endpoint.id, url: endpoint.url, source: endpoint.source, description: endpoint.description, created_at: endpoint.createdAt.toISOString() };
}
