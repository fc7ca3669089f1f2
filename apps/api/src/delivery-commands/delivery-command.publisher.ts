import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DeliveryCommandV1, DeliveryTrigger, KafkaTopic } from '@app/contracts';
import { KafkaProducer } from '@app/kafka';

export interface DeliveryRequest {
  eventId: string;
  /** Absent: the dispatcher resolves the event's active subscribers at delivery time. */
  webhookId?: string;
  trigger: DeliveryTrigger;
  /** The API token id that asked. */
  requestedBy: string;
  retryJobId?: string;
  /** Set for commands that must stay the same when published again; a new UUID otherwise. */
  commandId?: string;
}

/** A fresh command: a new commandId each time unless the request names one, so the dispatcher treats every request as new work. */
export function buildDeliveryCommand(request: DeliveryRequest, now = new Date()): DeliveryCommandV1 {
  return {
    version: 1,
    commandId: request.commandId ?? randomUUID(),
    eventId: request.eventId,
    ...(request.webhookId ? { webhookId: request.webhookId } : {}),
    trigger: request.trigger,
    requestedBy: request.requestedBy,
    ...(request.retryJobId ? { retryJobId: request.retryJobId } : {}),
    requestedAt: now.toISOString(),
  };
}

/**
 * Publishes delivery commands and resolves only once Kafka has acknowledged all of them (acks=all),
 * so an HTTP 2xx means the work cannot be lost. Keyed by event id: all commands for one event land on
 * one partition, in order.
 */
@Injectable()
export class DeliveryCommandPublisher {
  constructor(private readonly producer: KafkaProducer) {}

  async publish(requests: DeliveryRequest[]): Promise<DeliveryCommandV1[]> {
    const now = new Date();
    const commands = requests.map((request) => buildDeliveryCommand(request, now));
    await this.producer.sendAll(
      commands.map((command) => ({
        topic: KafkaTopic.DeliveryCommands,
        key: command.eventId,
        value: JSON.stringify(command),
      })),
    );
    return commands;
  }
}
