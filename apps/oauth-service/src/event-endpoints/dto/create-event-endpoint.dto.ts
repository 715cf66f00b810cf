import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUrl, MaxLength } from 'class-validator';

/** Body of `POST /oauth/event-endpoints`. */
export class CreateEventEndpointDto {
  @ApiProperty({ example: 'https://ops.example.com/hooks/installations', description: 'http(s) URL that receives every health event' })
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false, disallow_auth: true },
    { message: 'url must be an http(s) URL without credentials' },
  )
  @MaxLength(2048, { message: 'url is limited to 2048 characters' })
  url: string;

  @ApiPropertyOptional({ example: 'on-call pager bridge' })
  @IsOptional() @IsString() @MaxLength(255, { message: 'description is limited to 255 characters' })
  description?: string;
}

/** An endpoint as the admin API shows it; the secret only in the answer that created it. */
export interface EventEndpointView {
  id: string;
  url: string;
  source: 'env' | 'api';
  description: string | null;
  created_at: string;
}
