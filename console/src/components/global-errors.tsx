import { useEffect, useState } from 'preact/hooks';

/** Errors no page caught (a failed promise, a script error) still reach the operator. */
export function GlobalErrors() {
  const [errors, setErrors] = useState<string[]>([]);
  useEffect(() => {
    const add = (text: string) => setErrors((previous) => [...previous.slice(-2), text]);
    const onError = (event: ErrorEvent) => add(event.message || 'A script error occurred');
    const onRejection = (event: PromiseRejectionEvent) =>
      add(event.reason instanceof Error ? event.reason.message : String(event.reason));
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onRejection);
    return () => {
      window.removeEventListener('error', onError);
      window.removeEventListener('unhandledrejection', onRejection);
    };
  }, []);
  if (errors.length === 0) return null;
  return (
    <div class="message message-error global-errors" role="alert">
      <p>Something went wrong: {errors.join(' · ')}</p>
      <button type="button" onClick={() => setErrors([])}>
        Dismiss
      </button>
    </div>
  );
}
