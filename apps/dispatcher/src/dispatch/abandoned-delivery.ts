/**
 * A delivery this dispatcher will not start (shutting down, or its partition went to another dispatcher):
 * nothing was sent, and its command's offset is never committed past, so the partition's owner replays it.
 */
export class AbandonedDeliveryError extends Error {}
