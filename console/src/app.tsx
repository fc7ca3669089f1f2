import { useEffect, useRef, useState } from 'preact/hooks';
import { onUnauthorized } from './api/client';
import { clearToken, onTokenChange, readToken } from './api/token-store';
import { ErrorBoundary } from './components/error-boundary';
import { GlobalErrors } from './components/global-errors';
import { ActivityPage } from './pages/activity-page';
import { BulkRetryPage } from './pages/bulk-retry-page';
import { EventPage } from './pages/event-page';
import { EditWebhookPage } from './pages/edit-webhook-page';
import { EventsPage } from './pages/events-page';
import { NewWebhookPage } from './pages/new-webhook-page';
import { RetryJobPage } from './pages/retry-job-page';
import { RetryJobsPage } from './pages/retry-jobs-page';
import { SignInPage } from './pages/sign-in-page';
import { WebhooksPage } from './pages/webhooks-page';
import { href, type Route, useRoute } from './router';

const NAV = [
  { path: '/events', label: 'Events' },
  { path: '/webhooks', label: 'Webhooks' },
  { path: '/bulk-retry', label: 'Bulk retry' },
  { path: '/retry-jobs', label: 'Bulk jobs' },
  { path: '/activity', label: 'Activity' },
];

export function App() {
  const route = useRoute();
  const [token, setToken] = useState(readToken);
  const [notice, setNotice] = useState<string>();

  // Set once the operator signs in on this page (not when a stored token is found at load).
  const signedInHere = useRef(false);
  useEffect(
    () =>
      onTokenChange((next) => {
        signedInHere.current = next !== null;
        setToken(next);
      }),
    [],
  );
  useEffect(
    () => onUnauthorized((error) => setNotice(`The API refused the token (${error.message}). Sign in again.`)),
    [],
  );

  if (!token) return <SignInPage notice={notice} />;
  return (
    <SignedIn
      route={route}
      focusContent={signedInHere.current}
      onSignOut={() => (setNotice(undefined), clearToken())}
    />
  );
}

function SignedIn({ route, focusContent, onSignOut }: { route: Route; focusContent: boolean; onSignOut: () => void }) {
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // After navigation (and right after signing in, whose form is gone), start keyboard and screen-reader
  // users at the new page's content. A fresh page load leaves focus where the browser puts it.
  useEffect(() => {
    if (!first.current || focusContent) main.current?.focus();
    first.current = false;
  }, [route.path]);

  const section = `/${route.segments[0] ?? ''}`;
  return (
    <>
      <a class="skip-link" href="#main" onClick={(event) => (event.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={href('/events')}>
          Webhook console
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.path}>
                <a href={href(item.path)} aria-current={section === item.path ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" class="sign-out" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <GlobalErrors />
      <main id="main" ref={main} tabIndex={-1}>
        <ErrorBoundary resetKey={route.path}>
          <Page route={route} />
        </ErrorBoundary>
      </main>
    </>
  );
}

function Page({ route }: { route: Route }) {
  const [section, id] = route.segments;
  if (!section) {
    window.location.replace(href('/events'));
    return null;
  }
  if (section === 'events' && id) return <EventPage key={id} eventId={id} />;
  if (section === 'events') return <EventsPage key={route.query.toString()} route={route} />;
  if (section === 'webhooks' && id === 'new') return <NewWebhookPage />;
  if (section === 'webhooks' && id) return <EditWebhookPage key={id} webhookId={id} />;
  if (section === 'webhooks') return <WebhooksPage key={route.query.toString()} deleted={route.query.get('deleted')} />;
  if (section === 'bulk-retry') return <BulkRetryPage />;
  if (section === 'retry-jobs' && id) return <RetryJobPage key={id} jobId={id} />;
  if (section === 'retry-jobs') return <RetryJobsPage />;
  if (section === 'activity') return <ActivityPage />;
  return (
    <>
      <h1>Not found</h1>
      <p>
        There is no page at <code>{route.path}</code>. <a href={href('/events')}>Go to events</a>.
      </p>
    </>
  );
}
