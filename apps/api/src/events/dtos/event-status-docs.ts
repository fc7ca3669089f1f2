/** The state tables shown in the OpenAPI description (mirrors EventStatus and DeliveryStatus). */
export const EVENT_STATUS_DESCRIPTION = [
  'Overall state of the event across its target webhooks:',
  '- `pending`: accepted; no attempt finished yet.',
  '- `delivering`: at least one target is being delivered or waits for a retry.',
  '- `delivered`: every target received it (also when no webhook was subscribed).',
  '- `partially_delivered`: some targets received it, the others failed for good.',
  '- `failed`: every target failed for good (retry it with POST .../retry).',
].join('\n');

export const DELIVERY_STATUS_DESCRIPTION = [
  'State of delivering the event to this webhook:',
  '- `pending`: no attempt finished yet.',
  '- `retrying`: the last attempt failed; an automatic retry is scheduled at `nextAttemptAt`.',
  '- `delivered`: the endpoint answered 2xx.',
  '- `failed`: attempts are exhausted, or the endpoint is gone or disabled; only a manual retry sends it again.',
].join('\n');
