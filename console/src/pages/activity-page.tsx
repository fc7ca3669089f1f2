import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { DeliveriesPerMinute } from '../api/types';
import { DeliveriesChart } from '../components/deliveries-chart';
import { ErrorMessage, Loading, StaleNotice } from '../components/messages';
import { useResource } from '../hooks/use-resource';

const WINDOWS = [1, 3, 6, 12, 24];
const REFRESH_MS = 30_000;

/** Deliveries per minute by outcome, from GET /v1/stats/deliveries-per-minute. */
export function ActivityPage() {
  const [hours, setHours] = useState(3);
  const stats = useResource(
    String(hours),
    () => api<DeliveriesPerMinute>('/v1/stats/deliveries-per-minute', { query: { hours } }),
    REFRESH_MS,
  );
  return (
    <>
      <h1>Activity</h1>
      <div class="field inline">
        <label for="window">Window</label>
        <select
          id="window"
          value={String(hours)}
          onChange={(event) => setHours(Number((event.target as HTMLSelectElement).value))}
        >
          {WINDOWS.map((each) => (
            <option key={each} value={String(each)}>
              last {each} h
            </option>
          ))}
        </select>
        <button type="button" onClick={() => stats.reload()}>
          Refresh
        </button>
      </div>
      {stats.data === undefined && stats.error && <ErrorMessage>Could not load the chart: {stats.error}</ErrorMessage>}
      {stats.data === undefined && !stats.error && <Loading what="the chart" />}
      {stats.data && (
        <>
          <StaleNotice error={stats.error} loadedAt={stats.loadedAt} />
          <DeliveriesChart data={stats.data} />
        </>
      )}
    </>
  );
}
