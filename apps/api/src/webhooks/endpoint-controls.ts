import { BadRequestException, Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { WebhookDocument } from '@app/persistence';
import { toStoredHeaders } from './webhook-headers';

/** The per-endpoint controls as the API takes them; null clears one, absent leaves it as it is. */
export interface EndpointControlsInput {
  rateLimit?: number | null;
  timeout?: number | null;
  headers?: Record<string, string> | null;
}

export type StoredEndpointControls = Partial<Pick<WebhookDocument, 'rateLimit' | 'timeoutMs' | 'headers'>>;

/**
 * Turns the controls into their stored form, after the one check a DTO cannot make: a timeout no longer
 * than the service's DELIVERY_TIMEOUT, which also bounds how long a delivery holds its partition's lease.
 */
@Injectable()
export class EndpointControlsPolicy {
  private readonly maxTimeoutMs: number;

  constructor(config: AppConfig) {
    this.maxTimeoutMs = config.durationMs('DELIVERY_TIMEOUT');
  }

  toStored({ rateLimit, timeout, headers }: EndpointControlsInput): StoredEndpointControls {
    if (typeof timeout === 'number' && timeout > this.maxTimeoutMs) {
      throw new BadRequestException(
        `timeout must be at most ${this.maxTimeoutMs} (milliseconds, the service's DELIVERY_TIMEOUT)`,
      );
    }
    return {
      ...(rateLimit !== undefined ? { rateLimit } : {}),
      ...(timeout !== undefined ? { timeoutMs: timeout } : {}),
      ...(headers !== undefined ? { headers: headers ? toStoredHeaders(headers) : [] } : {}),
    };
  }
}
