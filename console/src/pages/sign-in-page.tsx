import { useState } from 'preact/hooks';
import { api, messageOf } from '../api/client';
import { saveToken } from '../api/token-store';
import type { Page, Webhook } from '../api/types';
import { ErrorMessage } from '../components/messages';

/** The operator pastes an API token; it is checked against the API, then kept in this tab only. */
export function SignInPage({ notice }: { notice?: string }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const candidate = token.trim();
    if (!candidate) {
      setError('Paste an API token first.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await api<Page<Webhook>>('/v1/webhooks', { query: { limit: 1 }, token: candidate });
      saveToken(candidate);
    } catch (failure) {
      setError(`Sign-in failed: ${messageOf(failure)}`);
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in" tabIndex={-1}>
      <h1>Webhook console</h1>
      {notice && <ErrorMessage>{notice}</ErrorMessage>}
      <form onSubmit={submit} class="card">
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          value={token}
          onInput={(event) => setToken((event.target as HTMLInputElement).value)}
          aria-describedby="token-help"
          required
        />
        <p id="token-help" class="muted">
          A tenant's bearer token, e.g. from <code>npm run cli -- tokens create --tenant acme</code>. It stays in this
          browser tab (session storage) and is sent only in the Authorization header of API calls.
        </p>
        <ErrorMessage>{error}</ErrorMessage>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
