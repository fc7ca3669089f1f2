/** The API's answer as the tests read it: the `{success, data}` envelope or an error's `{message}`. */
export interface Envelope {
  success?: boolean;
  data?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  message?: string;
}

export type ApiCall = (
  path: string,
  init?: { method?: string; body?: unknown },
) => Promise<{ status: number; body: Envelope }>;

/** Calls the API on `port` with a bearer token, the way the README's curl lines do: JSON in, the envelope out. */
export function apiCaller(port: number, token: string): ApiCall {
  return async (path, init = {}) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        Authorization: `Bearer ${token}`,
        ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    return { status: response.status, body: (await response.json()) as Envelope };
  };
}
