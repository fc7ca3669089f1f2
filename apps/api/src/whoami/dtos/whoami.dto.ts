import { ApiProperty } from '@nestjs/swagger';
import { API_TOKEN_SCOPES, ApiTokenScope } from '@app/persistence';

/** Who the presented token is: answered from the authenticated request alone. */
export class WhoamiDto {
  @ApiProperty({ example: 'acme', description: 'The tenant every request with this token is scoped to.' })
  tenantId: string;

  @ApiProperty({
    format: 'uuid',
    example: '123e4567-e89b-42d3-a456-426614174000',
    description: 'The token’s id (the `requestedBy` of the retries it asks for); never its secret.',
  })
  tokenId: string;

  @ApiProperty({
    enum: API_TOKEN_SCOPES,
    example: 'full',
    description: '`read-only`: the token may make GET and HEAD requests only (403 on any other).',
  })
  scope: ApiTokenScope;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2027-01-31T00:00:00.000Z',
    description: 'From this instant on the token is refused (401); null: it never expires.',
  })
  expiresAt: string | null;
}
