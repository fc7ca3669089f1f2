// Moved: the one DeliveryCommandPublisher lives in @app/kafka and its builder in @app/contracts.
// Kept only so imports not yet moved still compile; import from those libs instead.
export { DeliveryCommandPublisher } from '@app/kafka';
export { buildDeliveryCommand, type DeliveryRequest } from '@app/contracts';
