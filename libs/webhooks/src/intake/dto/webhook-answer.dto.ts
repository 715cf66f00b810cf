import { TokenCacheConfirmationDto } from '@bot/tokens';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The 200 answer to a delivery: committed to the queue, or recognised as one seen before. */
export class WebhookAcceptedDto {
  @ApiProperty({ example: true })
  ok: true;

  @ApiProperty({ description: 'true when the delivery id was seen before; nothing new was queued' })
  duplicate: boolean;

  @ApiProperty({ type: String, nullable: true, example: '42', description: 'id of the queued task (null for a duplicate)' })
  task_id: string | null;

  @ApiPropertyOptional({
    type: TokenCacheConfirmationDto,
    description: 'only when the delivery revoked or suspended its installation: answered after every API process dropped its token or lost its lease',
  })
  token_caches?: TokenCacheConfirmationDto;
}

class WebhookErrorBody {
  @ApiProperty({ example: 'invalid_signature' })
  code: string;

  @ApiProperty({ example: 'the X-Hub-Signature-256 signature does not match the body' })
  message: string;
}

/** Every refusal: nothing was stored. */
export class WebhookErrorDto {
  @ApiProperty({ example: false })
  success: false;

  @ApiProperty({ type: WebhookErrorBody })
  error: WebhookErrorBody;
}

/** Answer to Slack's `url_verification`. */
export class SlackChallengeDto {
  @ApiProperty()
  challenge: string;
}
