/** What an attempt taught about its webhook: its health, and a reason to switch it off (410, failing too long). */
export interface WebhookEffect {
  tenantId: string;
  webhookId: string;
  success: boolean;
  at: Date;
  disableReason: string | null;
}
