import { ListedApiToken } from '../auth/usecases/list-api-tokens/list-api-tokens.usecase';

const COLUMNS: [string, (token: ListedApiToken) => string][] = [
  ['ID', (token) => token.tokenId],
  ['TENANT', (token) => token.tenantId],
  ['NAME', (token) => token.name],
  ['SCOPE', (token) => token.scope],
  ['STATUS', (token) => token.status],
  ['CREATED', (token) => instant(token.createdAt)],
  ['LAST USED', (token) => instant(token.lastUsedAt, 'never')],
  ['EXPIRES', (token) => instant(token.expiresAt, 'never')],
];

/** `tokens list` for people: one aligned row per token, its secret never among the columns. */
export function tokenTable(tokens: ListedApiToken[]): string {
  const rows = [COLUMNS.map(([title]) => title), ...tokens.map((token) => COLUMNS.map(([, cell]) => cell(token)))];
  const widths = COLUMNS.map((_column, index) => Math.max(...rows.map((row) => row[index].length)));
  return rows
    .map((row) =>
      row
        .map((cell, index) => cell.padEnd(widths[index]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** To the second: last use is recorded to within a minute anyway. */
function instant(at: Date | null, otherwise = ''): string {
  return at === null ? otherwise : at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
