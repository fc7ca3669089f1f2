import type { DeliveriesPerMinute, DeliveryMinute, OutcomeCounts } from '../api/types';

export const OUTCOMES: { key: keyof OutcomeCounts; label: string }[] = [
  { key: 'succeeded', label: 'Succeeded (2xx)' },
  { key: 'httpError', label: 'HTTP error' },
  { key: 'noResponse', label: 'No response' },
];

const HEIGHT = 100;

const totalOf = (bucket: OutcomeCounts) => bucket.succeeded + bucket.httpError + bucket.noResponse;
const minuteLabel = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/**
 * Stacked bars, one per minute, drawn in plain SVG. The SVG stretches to the width of the page (one
 * x unit per minute); the labels are HTML, so they stay legible at any width.
 */
export function DeliveriesChart({ data }: { data: DeliveriesPerMinute }) {
  const { buckets, totals } = data;
  const peak = Math.max(1, ...buckets.map(totalOf));
  const all = totalOf(totals);
  const summary =
    `${all} attempts between ${minuteLabel(data.from)} and ${minuteLabel(data.to)}: ` +
    OUTCOMES.map(({ key, label }) => `${totals[key]} ${label.toLowerCase()}`).join(', ') +
    `. Busiest minute: ${peak === 1 && all === 0 ? 0 : peak}.`;
  return (
    <figure class="chart">
      <figcaption id="chart-caption">Delivery attempts per minute, by outcome</figcaption>
      <ul class="legend">
        {OUTCOMES.map(({ key, label }) => (
          <li key={key}>
            <span class={`swatch outcome-${key}`} aria-hidden="true" /> {label}: <strong>{totals[key]}</strong>
          </li>
        ))}
      </ul>
      <div class="chart-plot">
        <span class="chart-peak muted" aria-hidden="true">
          {peak}/min
        </span>
        <svg
          viewBox={`0 0 ${buckets.length} ${HEIGHT}`}
          preserveAspectRatio="none"
          role="img"
          aria-labelledby="chart-caption chart-summary"
        >
          <desc id="chart-summary">{summary}</desc>
          {buckets.map((bucket, index) => (
            <Bar key={bucket.minute} bucket={bucket} x={index} peak={peak} />
          ))}
        </svg>
      </div>
      <div class="chart-axis muted" aria-hidden="true">
        <span>{minuteLabel(data.from)}</span>
        <span>{minuteLabel(buckets[Math.floor(buckets.length / 2)]?.minute ?? data.from)}</span>
        <span>now</span>
      </div>
      <details>
        <summary>Minutes with attempts, as a table</summary>
        <MinuteTable buckets={buckets.filter((bucket) => totalOf(bucket) > 0)} />
      </details>
    </figure>
  );
}

function Bar({ bucket, x, peak }: { bucket: DeliveryMinute; x: number; peak: number }) {
  let y = HEIGHT;
  return (
    <g>
      <title>
        {`${minuteLabel(bucket.minute)}: ` + OUTCOMES.map(({ key, label }) => `${bucket[key]} ${label}`).join(', ')}
      </title>
      {OUTCOMES.map(({ key }) => {
        const height = (bucket[key] / peak) * HEIGHT;
        if (height === 0) return null;
        y -= height;
        return <rect key={key} class={`outcome-${key}`} x={x + 0.1} width={0.8} y={y} height={height} />;
      })}
    </g>
  );
}

function MinuteTable({ buckets }: { buckets: DeliveryMinute[] }) {
  if (buckets.length === 0) return <p class="muted">No attempts in this window.</p>;
  return (
    <div class="table-wrap">
      <table class="stack">
        <thead>
          <tr>
            <th scope="col">Minute</th>
            {OUTCOMES.map(({ key, label }) => (
              <th key={key} scope="col">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {buckets.map((bucket) => (
            <tr key={bucket.minute}>
              <td data-label="Minute">{minuteLabel(bucket.minute)}</td>
              {OUTCOMES.map(({ key, label }) => (
                <td key={key} data-label={label}>
                  {bucket[key]}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
