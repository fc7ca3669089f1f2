import { ApiTokenScope } from '@app/persistence';

export const READ_ONLY_TOKEN_MESSAGE = 'This API token is read-only: it may only make GET and HEAD requests';

/** GET and HEAD read; every other method may change something, so a read-only token may not use it. */
export function scopeAllows(scope: ApiTokenScope, method: string | undefined): boolean {
  return scope !== 'read-only' || method === 'GET' || method === 'HEAD';
}
