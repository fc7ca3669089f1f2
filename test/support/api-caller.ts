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

/**
 * Calls the API with a bearer token, the way the README's curl lines do: JSON in, the envelope out. The
 * port is asked for at each call, so a test that restarts the API on another port keeps its callers.
 */
export function apiCaller(portOf: () => number, token: string): ApiCall {
  return async (path, init = {}) => {
    const response = await fetch(`http://127.0.0.1:${portOf()}${path}`, {
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
