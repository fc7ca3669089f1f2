import { scopeAllows } from './token-scope';

describe('scopeAllows', () => {
  it.each([
    ['full', 'GET', true],
    ['full', 'POST', true],
    ['full', 'DELETE', true],
    ['read-only', 'GET', true],
    ['read-only', 'HEAD', true],
    ['read-only', 'POST', false],
    ['read-only', 'PATCH', false],
    ['read-only', 'PUT', false],
    ['read-only', 'DELETE', false],
    ['read-only', 'OPTIONS', false],
    ['read-only', undefined, false],
  ] as const)('a %s token may make a %s request: %p', (scope, method, allowed) => {
    expect(scopeAllows(scope, method)).toBe(allowed);
  });
});
