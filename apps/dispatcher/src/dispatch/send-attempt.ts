import { Injectable } from '@nestjs/common';
import { SpanKind } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';
import { DeliveryCommand, DeliveryErrorKind, DeliveryLogV1 } from '@app/contracts';
import { DeliveryDocument, EventDocument, openWebhookSecrets, SecretCipher, WebhookDocument } from '@app/persistence';
import { inSpan } from '@app/observability';
import { WebhookHttpClient } from '../http/webhook-http-client';
import { DispatcherMetrics } from '../metrics/dispatcher-metrics';
import { AttemptResult, consequenceOf, DeliveryBefore } from './attempt-outcome';
import { DeliveryPolicy } from '../policy/delivery-policy';
import { WebhookEffect } from '../record-attempts/webhook-effect';
import { liveSecrets } from '../signing/webhook-signer';
import { envelopeBody, webhookHeaders } from './webhook-request';

export interface AttemptTarget {
  command: DeliveryCommand;
  event: EventDocument;
  webhook: WebhookDocument;
  delivery: DeliveryBefore & Pick<DeliveryDocument, 'attempts'>;
  attemptId: string;
}

export interface FinishedAttempt {
  log: DeliveryLogV1;
  effect: WebhookEffect | null;
}

/** Makes one delivery attempt (or records why none was made) and works out what it means. */
@Injectable()
export class SendAttempt {
  constructor(
    private readonly http: WebhookHttpClient,
    private readonly policy: DeliveryPolicy,
    private readonly metrics: DispatcherMetrics,
    private readonly cipher: SecretCipher,
  ) {}

  async execute(target: AttemptTarget): Promise<FinishedAttempt> {
    const { command, event, webhook, delivery } = target;
    const startedAt = new Date();
    let result: AttemptResult;
    let durationMs = 0;
    let errorMessage: string | null = null;
    let bodyExcerpt: string | null = null;

    if (!webhook.active) {
      result = { success: false, statusCode: null, errorKind: DeliveryErrorKind.WebhookDisabled, retryAfterMs: null };
      errorMessage = `Webhook is disabled${webhook.disabledReason ? `: ${webhook.disabledReason}` : ''}`;
    } else {
      const body = envelopeBody(event);
      // Decrypted only here, the live ones only. A secret no configured key opens throws: the command is
      // dead-lettered with the reason and nothing goes out unsigned or wrongly signed.
      const secrets = openWebhookSecrets(this.cipher, webhook._id, liveSecrets(webhook.secrets, startedAt));
      const url = new URL(webhook.url);
      // No trace headers go to the endpoint: they are the customer's, not part of this trace.
      const outcome = await inSpan(
        'POST',
        () => ({ kind: SpanKind.CLIENT, attributes: clientAttributes(url) }),
        async (span) => {
          const headers = webhookHeaders(event._id, body, secrets, startedAt, webhook.headers);
          const outcome = await this.http.post(url, headers, body, webhook.timeoutMs);
          if (outcome.kind === 'response') span?.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome.statusCode);
          else span?.setAttributes({ [ATTR_ERROR_TYPE]: outcome.errorKind });
          return outcome;
        },
      );
      durationMs = outcome.durationMs;
      if (outcome.kind === 'response') {
        const success = outcome.statusCode >= 200 && outcome.statusCode < 300;
        result = { success, statusCode: outcome.statusCode, errorKind: null, retryAfterMs: outcome.retryAfterMs };
        bodyExcerpt = outcome.bodyExcerpt;
        if (outcome.statusCode >= 300 && outcome.statusCode < 400) errorMessage = 'Redirects are not followed';
      } else {
        result = { success: false, statusCode: null, errorKind: outcome.errorKind, retryAfterMs: null };
        errorMessage = outcome.message;
      }
      this.metrics.attemptDuration.observe(durationMs / 1000);
    }

    // Backoff and Retry-After count from the answer (or the failure), not from the request: a slow endpoint
    // that says `Retry-After: 1` gets its second.
    const answeredAt = new Date(startedAt.getTime() + durationMs);
    const consequence = consequenceOf(command.trigger, result, delivery, this.policy, answeredAt);
    const disableReason = consequence.disableReason ?? this.autoDisableReason(webhook, result, startedAt);
    this.metrics.deliveries.inc({ outcome: outcomeLabel(result), trigger: command.trigger });

    const log: DeliveryLogV1 = {
      version: 1,
      attemptId: target.attemptId,
      tenantId: event.tenantId,
      eventId: event._id,
      webhookId: webhook._id,
      url: webhook.url,
      commandId: command.commandId,
      trigger: command.trigger,
      ...(command.requestedBy ? { requestedBy: command.requestedBy } : {}),
      attemptNumber: delivery.attempts + 1,
      startedAt: startedAt.toISOString(),
      durationMs,
      success: result.success,
      statusCode: result.statusCode,
      errorKind: result.errorKind,
      errorMessage,
      responseBodyExcerpt: bodyExcerpt,
      scheduledFailures: consequence.scheduledFailures,
      deliveryStatus: consequence.deliveryStatus,
      ...(consequence.nextAttemptAt !== undefined
        ? { nextAttemptAt: consequence.nextAttemptAt ? consequence.nextAttemptAt.toISOString() : null }
        : {}),
      ...(webhook.fifo ? { fifo: true } : {}),
      ...(disableReason ? { disabledReason: disableReason } : {}),
      ...(command.retryJobId ? { retryJobId: command.retryJobId } : {}),
    };
    const effect: WebhookEffect | null = webhook.active
      ? { tenantId: event.tenantId, webhookId: webhook._id, success: result.success, at: startedAt, disableReason }
      : null;
    return { log, effect };
  }

  /** An endpoint that has failed without a single success for AUTO_DISABLE_AFTER is switched off. */
  private autoDisableReason(webhook: WebhookDocument, result: AttemptResult, now: Date): string | null {
    if (result.success || !webhook.failingSince) return null;
    const failingForMs = now.getTime() - new Date(webhook.failingSince).getTime();
    if (failingForMs < this.policy.autoDisableAfterMs) return null;
    return `No successful delivery since ${new Date(webhook.failingSince).toISOString()}`;
  }
}

/** The endpoint's host and port only: a webhook URL's path or query may hold the customer's secrets. */
function clientAttributes(url: URL): Record<string, string | number> {
  return {
    [ATTR_HTTP_REQUEST_METHOD]: 'POST',
    [ATTR_SERVER_ADDRESS]: url.hostname,
    [ATTR_SERVER_PORT]: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
  };
}

function outcomeLabel(result: AttemptResult): string {
  if (result.success) return 'success';
  if (result.statusCode !== null) return `http_${Math.floor(result.statusCode / 100)}xx`;
  return result.errorKind ?? 'unknown';
}
