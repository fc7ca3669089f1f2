/**
 * A tenant id that came from an authenticated principal (API token) or from a stored document.
 * Repositories take it as their first argument, so a query without a tenant does not compile.
 */
export type TenantId = string & { readonly __brand: 'TenantId' };

export const asTenantId = (value: string): TenantId => value as TenantId;
