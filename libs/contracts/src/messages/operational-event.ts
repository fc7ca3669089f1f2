import { ValidateBy, ValidationOptions } from 'class-validator';
import { derivedUuidOf } from './derived-uuid';

/**
 * Event types the service itself emits to a tenant's operational webhooks, never to ordinary ones; a
 * tenant cannot publish them. Wire names receivers match on: never change them.
 */
export enum OperationalEventType {
  EndpointDisabled = 'endpoint.disabled',
  EndpointEnabled = 'endpoint.enabled',
  RetryJobFinished = 'retry_job.finished',
}

const OPERATIONAL_EVENT_TYPES: readonly string[] = Object.values(OperationalEventType);

export const isOperationalEventType = (type: string): boolean => OPERATIONAL_EVENT_TYPES.includes(type);

/** Why an endpoint was disabled, as `endpoint.disabled` carries it. Wire names: never change them. */
export enum EndpointDisabledReason {
  /** It answered 410 Gone. */
  Gone = 'gone',
  /** It failed without a success for AUTO_DISABLE_AFTER. */
  Failing = 'failing',
  /** The tenant disabled it through the API. */
  Manual = 'manual',
}

export interface EndpointDisabledPayload {
  webhookId: string;
  url: string;
  reason: EndpointDisabledReason;
  /** The webhook's `disabledReason`, in words. */
  message: string;
  disabledAt: string;
}

export interface EndpointEnabledPayload {
  webhookId: string;
  url: string;
  enabledAt: string;
}

export interface RetryJobFinishedPayload {
  retryJobId: string;
  status: string;
  matched: number;
  queued: number;
  /** Outcomes counted so far; deliveries of the queued commands may still be under way. */
  delivered: number;
  failed: number;
  finishedAt: string;
}

/**
 * The id of the operational event a fact gives rise to (e.g. `endpoint.disabled:<webhookId>:<disabledAt>`),
 * a UUID derived from it: whoever emits the same fact again, after a crash or a replay, names the event
 * already stored, so nothing new is delivered.
 */
export function operationalEventIdOf(fact: string): string {
  return derivedUuidOf(fact);
}

/** Refuses the operational event types, for what tenants publish (the API body and the Kafka contract). */
export const NotOperationalEventType = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'notOperationalEventType',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !isOperationalEventType(value),
        defaultMessage: (args) => `type ${String(args?.value)} is reserved for operational webhooks`,
      },
    },
    options,
  );
