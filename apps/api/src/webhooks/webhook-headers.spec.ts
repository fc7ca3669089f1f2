import { MAX_WEBHOOK_HEADERS_BYTES, toHeadersObject, toStoredHeaders, webhookHeadersProblem } from './webhook-headers';

describe('webhookHeadersProblem', () => {
  it.each([
    ['no headers', {}],
    ['an API key and a routing tag', { Authorization: 'Bearer abc.def', 'X-Route': 'eu west' }],
    ['token characters in a name', { "X-Weird!#$%&'*+.^_`|~": 'v' }],
    ['a tab inside a value', { 'X-A': 'a\tb' }],
  ])('accepts %s', (_case, headers) => {
    expect(webhookHeadersProblem(headers)).toBeNull();
  });

  it.each([
    ['an array', [['X-A', 'b']], 'headers must be an object of header names to string values'],
    ['a string', 'X-A: b', 'headers must be an object of header names to string values'],
    ['a space in a name', { 'X A': 'b' }, 'headers name "X A" is not a valid HTTP header name'],
    ['a colon in a name', { 'X-A:': 'b' }, 'headers name "X-A:" is not a valid HTTP header name'],
    ['an empty name', { '': 'b' }, 'headers name "" is not a valid HTTP header name'],
    ['a Standard Webhooks header', { 'Webhook-Id': 'x' }, 'headers must not set Webhook-Id: the service sets it'],
    ['content-type', { 'Content-Type': 'text/plain' }, 'headers must not set Content-Type: the service sets it'],
    ['content-length', { 'content-length': '1' }, 'headers must not set content-length: the service sets it'],
    ['host', { Host: 'evil.example' }, 'headers must not set Host: the service sets it'],
    ['user-agent', { 'User-Agent': 'me' }, 'headers must not set User-Agent: the service sets it'],
    ['connection', { Connection: 'close' }, 'headers must not set Connection: it is a hop-by-hop header'],
    [
      'transfer-encoding',
      { 'Transfer-Encoding': 'chunked' },
      'headers must not set Transfer-Encoding: it is a hop-by-hop header',
    ],
    [
      'a proxy header',
      { 'Proxy-Authorization': 'x' },
      'headers must not set Proxy-Authorization: it is a hop-by-hop header',
    ],
    ['te', { TE: 'trailers' }, 'headers must not set TE: it is a hop-by-hop header'],
    ['upgrade', { upgrade: 'h2c' }, 'headers must not set upgrade: it is a hop-by-hop header'],
    [
      'a name twice in two cases',
      { 'X-A': '1', 'x-a': '2' },
      'headers must not name x-a twice (names are case-insensitive)',
    ],
    ['a number value', { 'X-A': 1 }, 'headers value of X-A must be a non-empty string of printable ASCII characters'],
    ['an empty value', { 'X-A': '' }, 'headers value of X-A must be a non-empty string of printable ASCII characters'],
    [
      'a line break in a value',
      { 'X-A': 'a\r\nX-B: c' },
      'headers value of X-A must be a non-empty string of printable ASCII characters',
    ],
    [
      'a non-ASCII value',
      { 'X-A': 'café' },
      'headers value of X-A must be a non-empty string of printable ASCII characters',
    ],
    [
      'a leading space in a value',
      { 'X-A': ' a' },
      'headers value of X-A must be a non-empty string of printable ASCII characters',
    ],
    [
      '21 headers',
      Object.fromEntries(Array.from({ length: 21 }, (_, index) => [`X-${index}`, 'v'])),
      'headers may hold at most 20 headers',
    ],
    [
      'more bytes than allowed',
      { 'X-A': 'a'.repeat(MAX_WEBHOOK_HEADERS_BYTES - 2) },
      'headers must be at most 4096 bytes of names and values together',
    ],
  ])('refuses %s', (_case, headers, message) => {
    expect(webhookHeadersProblem(headers)).toBe(message);
  });
});

describe('stored headers', () => {
  it('round-trip between the API object and the stored list, in order', () => {
    const headers = { 'X-B': '2', 'X-A': '1' };
    expect(toStoredHeaders(headers)).toEqual([
      { name: 'X-B', value: '2' },
      { name: 'X-A', value: '1' },
    ]);
    expect(toHeadersObject(toStoredHeaders(headers))).toEqual(headers);
  });

  it('show a webhook stored before headers existed as having none', () => {
    expect(toHeadersObject(undefined)).toEqual({});
  });
});
