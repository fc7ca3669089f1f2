const TONES: Record<string, 'ok' | 'warn' | 'bad' | 'neutral'> = {
  delivered: 'ok',
  completed: 'ok',
  active: 'ok',
  delivering: 'warn',
  retrying: 'warn',
  partially_delivered: 'warn',
  running: 'warn',
  failed: 'bad',
  disabled: 'bad',
  pending: 'neutral',
  queued: 'neutral',
  cancelled: 'neutral',
};

/** A status as text with a colour; the text alone carries the meaning. */
export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${TONES[status] ?? 'neutral'}`}>{status.replace(/_/g, ' ')}</span>;
}
