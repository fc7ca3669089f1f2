import { useState } from 'preact/hooks';
import { api } from '../api/client';
import { EVENT_STATUSES, type EventSummary, type Page } from '../api/types';
import { ErrorMessage, Loading, StaleNotice } from '../components/messages';
import { currentCursor, firstPage, Pager, type PagerState } from '../components/pager';
import { StatusBadge } from '../components/status-badge';
import { isoToLocalInput, localInputToIso, Time } from '../components/time';
import { useResource } from '../hooks/use-resource';
import { href, navigate, type Route } from '../router';

const REFRESH_MS = 5_000;

/** Events, newest first, filtered by status, type and time (the filters live in the URL's hash). */
export function EventsPage({ route }: { route: Route }) {
  const filters: Filters = {
    status: route.query.get('status') ?? undefined,
    type: route.query.get('type') ?? undefined,
    from: route.query.get('from') ?? undefined,
    to: route.query.get('to') ?? undefined,
  };
  // The app keys this page on the filters, so new filters start again at the newest page.
  const [pager, setPager] = useState<PagerState>(firstPage);
  const cursor = currentCursor(pager);
  const events = useResource(
    `${JSON.stringify(filters)}|${cursor ?? ''}`,
    () => api<Page<EventSummary>>('/v1/webhooks/events', { query: { ...filters, cursor, limit: 25 } }),
    REFRESH_MS,
  );

  return (
    <>
      <h1>Events</h1>
      <FilterForm filters={filters} />
      {events.data === undefined && events.error && <ErrorMessage>Could not load events: {events.error}</ErrorMessage>}
      {events.data !== undefined && <StaleNotice error={events.error} loadedAt={events.loadedAt} />}
      {events.data === undefined && !events.error && <Loading what="events" />}
      {events.data && (
        <>
          <EventTable events={events.data.items} />
          <Pager pager={pager} nextCursor={events.data.nextCursor} onChange={setPager} label="Event list" />
        </>
      )}
    </>
  );
}

type Filters = Record<'status' | 'type' | 'from' | 'to', string | undefined>;

function FilterForm({ filters }: { filters: Filters }) {
  // Controlled inputs, seeded from the URL: the list's refreshes re-render this form, and must not undo typing.
  const [values, setValues] = useState({
    status: filters.status ?? '',
    type: filters.type ?? '',
    from: isoToLocalInput(filters.from),
    to: isoToLocalInput(filters.to),
  });
  const [error, setError] = useState<string>();
  const bind = (name: keyof typeof values) => ({
    id: `filter-${name}`,
    name,
    value: values[name],
    onInput: (event: Event) => setValues({ ...values, [name]: (event.target as HTMLInputElement).value }),
  });
  const apply = (event: Event) => {
    event.preventDefault();
    const type = values.type.trim() || undefined;
    if (type && !/^[A-Za-z0-9_.:-]{1,128}$/.test(type)) {
      setError('Event type: 1-128 letters, digits and _ . : -');
      return;
    }
    setError(undefined);
    navigate('/events', {
      status: values.status || undefined,
      type,
      from: localInputToIso(values.from),
      to: localInputToIso(values.to),
    });
  };
  return (
    <form class="filters card" onSubmit={apply} aria-label="Event filters">
      <div class="field">
        <label for="filter-status">Status</label>
        <select {...bind('status')} onChange={bind('status').onInput}>
          <option value="">Any status</option>
          {EVENT_STATUSES.map((status) => (
            <option key={status} value={status}>
              {status.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="filter-type">Type</label>
        <input {...bind('type')} placeholder="invoice.paid" />
      </div>
      <div class="field">
        <label for="filter-from">Created from</label>
        <input {...bind('from')} type="datetime-local" />
      </div>
      <div class="field">
        <label for="filter-to">Created to</label>
        <input {...bind('to')} type="datetime-local" />
      </div>
      <div class="field actions">
        <button type="submit" class="primary">
          Apply filters
        </button>
        <a class="button" href={href('/events')}>
          Clear
        </a>
      </div>
      <ErrorMessage>{error}</ErrorMessage>
    </form>
  );
}

function EventTable({ events }: { events: EventSummary[] }) {
  if (events.length === 0) return <p class="muted">No events match these filters.</p>;
  return (
    <div class="table-wrap">
      <table class="stack">
        <caption class="visually-hidden">Events, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Type</th>
            <th scope="col">Status</th>
            <th scope="col">Webhooks</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.eventId}>
              <td data-label="Event">
                <a class="mono" href={href(`/events/${event.eventId}`)}>
                  {event.eventId}
                </a>
              </td>
              <td data-label="Type">{event.type}</td>
              <td data-label="Status">
                <StatusBadge status={event.status} />
              </td>
              <td data-label="Webhooks">{event.webhookCount}</td>
              <td data-label="Created">
                <Time value={event.createdAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
