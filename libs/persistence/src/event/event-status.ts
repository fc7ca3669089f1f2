import { DeliveryStatus } from '@app/contracts';
import { EventStatus } from './event.schema';

/** An event's overall status from the states of its deliveries (see EventStatus for the meanings). */
export function rollUpEventStatus(deliveryStatuses: DeliveryStatus[]): EventStatus {
  if (deliveryStatuses.length === 0) return EventStatus.Delivered;
  const count = (status: DeliveryStatus) => deliveryStatuses.filter((each) => each === status).length;
  const delivered = count(DeliveryStatus.Delivered);
  const failed = count(DeliveryStatus.Failed);
  const pending = count(DeliveryStatus.Pending);
  if (delivered === deliveryStatuses.length) return EventStatus.Delivered;
  if (failed === deliveryStatuses.length) return EventStatus.Failed;
  if (delivered + failed === deliveryStatuses.length) return EventStatus.PartiallyDelivered;
  if (pending === deliveryStatuses.length) return EventStatus.Pending;
  return EventStatus.Delivering;
}
