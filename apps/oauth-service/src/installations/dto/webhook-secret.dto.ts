import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

/** Body of `PUT /oauth/installations/:id/webhook-secret`; without `secret` one is generated. */
export class WebhookSecretDto {
  @ApiPropertyOptional({ description: 'A secret of your own (16 to 255 printable ASCII characters, no spaces); omit it to have one generated' })
  @IsOptional()
  @Matches(/^[\x21-\x7e]{16,255}$/, { message: 'secret must be 16 to 255 printable ASCII characters without spaces' })
  secret?: string;
}
