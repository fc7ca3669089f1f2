import type { ComponentChildren } from 'preact';

/** An error the operator must see: announced by screen readers as soon as it appears. */
export function ErrorMessage({ children }: { children?: ComponentChildren }) {
  if (!children) return null;
  return (
    <p class="message message-error" role="alert">
      {children}
    </p>
  );
}

/** The outcome of an action (say, the retry endpoint's message), announced politely. */
export function StatusMessage({ kind, children }: { kind: 'ok' | 'error'; children: ComponentChildren }) {
  return kind === 'error' ? (
    <ErrorMessage>{children}</ErrorMessage>
  ) : (
    <p class="message message-ok" role="status">
      {children}
    </p>
  );
}

/** A load that failed while older data is still on screen: say so, and when that data is from. */
export function StaleNotice({ error, loadedAt }: { error?: string; loadedAt?: Date }) {
  if (!error) return null;
  return (
    <ErrorMessage>
      Could not refresh: {error}
      {loadedAt ? ` (showing data from ${loadedAt.toLocaleTimeString()}; retrying)` : ''}
    </ErrorMessage>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}
