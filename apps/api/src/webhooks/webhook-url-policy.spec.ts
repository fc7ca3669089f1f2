import { isAllowedScheme } from './webhook-url-policy';

describe('isAllowedScheme', () => {
  it('always allows https', () => {
    expect(isAllowedScheme('https://example.com/hook', false)).toBe(true);
    expect(isAllowedScheme('HTTPS://example.com/hook', false)).toBe(true);
  });

  it('allows http only when configured', () => {
    expect(isAllowedScheme('http://example.com/hook', false)).toBe(false);
    expect(isAllowedScheme('http://example.com/hook', true)).toBe(true);
  });

  it('never allows other schemes', () => {
    expect(isAllowedScheme('ftp://example.com/hook', true)).toBe(false);
  });
});
