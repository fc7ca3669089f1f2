/** Why an attempt happened; shown on every log entry. Wire values: never rename. */
export enum DeliveryTrigger {
  Initial = 'initial',
  Automatic = 'automatic',
  Manual = 'manual',
}
