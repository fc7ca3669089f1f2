import { BadRequestException, Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';

/**
 * Which URLs a tenant may register. Plain http only where ALLOW_HTTP_WEBHOOKS is set (local development,
 * tests). Private and loopback targets are the dispatcher's check, made on the address it actually dials.
 */
@Injectable()
export class WebhookUrlPolicy {
  constructor(private readonly config: AppConfig) {}

  assertAllowed(url: string): void {
    if (!isAllowedScheme(url, this.config.get('ALLOW_HTTP_WEBHOOKS'))) {
      throw new BadRequestException('url must use https');
    }
  }
}

export function isAllowedScheme(url: string, allowHttp: boolean): boolean {
  const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
  return scheme === 'https' || (allowHttp && scheme === 'http');
}
