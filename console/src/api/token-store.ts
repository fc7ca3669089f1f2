/**
 * The operator's bearer token lives in this tab's sessionStorage only: never in a URL, a cookie or
 * localStorage, so it goes away with the tab and is never sent anywhere but the Authorization header.
 */
const KEY = 'webhook-console.token';

type Listener = (token: string | null) => void;
const listeners = new Set<Listener>();

export function readToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: the operator just has to sign in again
  }
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
  listeners.forEach((listener) => listener(token));
}

export function clearToken(): void {
  try {
    sessionStorage.removeItem(KEY);
  } finally {
    listeners.forEach((listener) => listener(null));
  }
}

export function onTokenChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
