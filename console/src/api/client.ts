import { clearToken, readToken } from './token-store';

/** A failed API call, with the API's own `message` whenever it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Listener = (error: ApiError) => void;
const unauthorizedListeners = new Set<Listener>();

/** Called when the API refuses the stored token (revoked, or a typo): the app asks to sign in again. */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Checks a token before it is stored (sign-in); otherwise the stored one is used. */
  token?: string;
}

/** Calls the /v1 API on this origin and returns the `data` of its envelope, or throws an ApiError. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const token = options.token ?? readToken();
  if (!token) throw new ApiError(401, 'Not signed in');
  const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';

  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (error) {
    throw new ApiError(0, `Could not reach the API (${(error as Error).message}). Is it running?`);
  }
  const body = await readJson(response);
  if (!response.ok) {
    const message = typeof body?.message === 'string' ? body.message : `${response.status} ${response.statusText}`;
    const error = new ApiError(response.status, message);
    if (response.status === 401 && options.token === undefined) {
      clearToken();
      unauthorizedListeners.forEach((listener) => listener(error));
    }
    throw error;
  }
  if (!body || body.success !== true) throw new ApiError(response.status, 'The API answered with an unexpected body');
  return body.data as T;
}

function withQuery(path: string, query: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function readJson(response: Response): Promise<{ success?: boolean; data?: unknown; message?: unknown } | null> {
  try {
    return (await response.json()) as { success?: boolean; data?: unknown; message?: unknown };
  } catch {
    return null; // an HTML error page from a proxy, or an empty body
  }
}

export const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : `Unexpected error: ${String(error)}`;
