/** A local date and time, with the exact UTC instant for machines and on hover. */
export function Time({ value }: { value: string | Date | null | undefined }) {
  if (!value) return <span class="muted">—</span>;
  const date = new Date(value);
  return (
    <time dateTime={date.toISOString()} title={date.toISOString()}>
      {date.toLocaleString()}
    </time>
  );
}

/** "in 12 s", "3 min ago": how far `value` is from now. */
export function relativeTime(value: string | Date, now = Date.now()): string {
  const seconds = Math.round((new Date(value).getTime() - now) / 1000);
  const magnitude = Math.abs(seconds);
  const text =
    magnitude < 60
      ? `${magnitude} s`
      : magnitude < 3600
        ? `${Math.round(magnitude / 60)} min`
        : magnitude < 86400
          ? `${Math.round(magnitude / 3600)} h`
          : `${Math.round(magnitude / 86400)} d`;
  if (magnitude < 1) return 'now';
  return seconds > 0 ? `in ${text}` : `${text} ago`;
}

/** A datetime-local input's value ("2026-03-01T10:05") as an ISO instant, or undefined when empty. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The other way round, for filling a datetime-local input from an ISO instant in the URL. */
export function isoToLocalInput(value: string | null | undefined): string {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
