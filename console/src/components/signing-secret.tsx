import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { CopyButton } from './copy-button';

/**
 * A signing secret the API shows once (on create and on rotate): kept only in the page's memory, so it is
 * gone after dismissing, navigating or reloading. Focus moves to it so screen readers announce it.
 */
export function SigningSecret({
  heading,
  url,
  secret,
  children,
  dismissLabel,
  onDismiss,
}: {
  heading: string;
  url: string;
  secret: string;
  children?: ComponentChildren;
  dismissLabel: string;
  onDismiss: () => void;
}) {
  const panel = useRef<HTMLElement>(null);
  useEffect(() => panel.current?.focus(), []);
  return (
    <section class="card secret" aria-labelledby="secret-heading" ref={panel} tabIndex={-1}>
      <h2 id="secret-heading">{heading}</h2>
      <p>
        For <span class="break">{url}</span>. <strong>It is shown only this once</strong>: store it in the receiver now;
        the API will not show it again.
      </p>
      <p class="secret-value">
        <code id="new-secret">{secret}</code> <CopyButton text={secret} label="Copy secret" />
      </p>
      {children}
      <button type="button" onClick={onDismiss}>
        {dismissLabel}
      </button>
    </section>
  );
}
