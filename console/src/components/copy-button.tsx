import { useState } from 'preact/hooks';

/**
 * Copies `text` to the clipboard. Where the Clipboard API is unavailable (plain http on another host),
 * it says so, and the text stays selectable on the page.
 */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [outcome, setOutcome] = useState<string>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setOutcome('Copied');
    } catch {
      setOutcome('Copy failed: select the text and copy it by hand');
    }
  };
  return (
    <>
      <button type="button" onClick={copy}>
        {label}
      </button>
      {outcome && (
        <span class="muted" role="status">
          {' '}
          {outcome}
        </span>
      )}
    </>
  );
}
