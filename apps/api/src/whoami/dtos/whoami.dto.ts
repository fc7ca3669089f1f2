import { ApiProperty } from '@nestjs/swagger';

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
}
