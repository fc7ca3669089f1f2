import { Get } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiEnvelope } from '../http/api-docs.decorators';
import { V1Controller } from '../http/v1-controller.decorator';
import { WhoamiDto } from './dtos/whoami.dto';

@V1Controller('whoami', 'tokens')
export class WhoamiController {
  @Get()
  @ApiOperation({
    summary: 'Check a token: the tenant and token id it authenticates as, its scope and expiry',
    description: 'Reads nothing besides the token check, so it also tells a client that its token and the API work.',
  })
  @ApiEnvelope(WhoamiDto)
  whoami(@CurrentPrincipal() principal: Principal): WhoamiDto {
    return {
      tenantId: principal.tenantId,
      tokenId: principal.tokenId,
      scope: principal.scope,
      expiresAt: principal.expiresAt?.toISOString() ?? null,
    };
  }
}
