import { DeliveryErrorKind } from '@app/contracts';
import { ERROR_MESSAGE_CHARS } from '../policy/delivery-policy';
import { classifyError } from './classify-error';
import { BlockedTargetError } from './guarded-lookup';

const coded = (code: string, message = `failed: ${code}`) => Object.assign(new Error(message), { code });
const named = (name: string) => Object.assign(new Error('The operation was aborted'), { name });

describe('classifyError', () => {
  it.each<[string, unknown, DeliveryErrorKind]>([
    [
      'a blocked address (SSRF guard)',
      new BlockedTargetError('internal.example resolves to an address that is not allowed'),
      DeliveryErrorKind.BlockedTarget,
    ],
    ['undici connect timeout', coded('UND_ERR_CONNECT_TIMEOUT'), DeliveryErrorKind.Timeout],
    ['undici headers timeout', coded('UND_ERR_HEADERS_TIMEOUT'), DeliveryErrorKind.Timeout],
    ['undici body timeout', coded('UND_ERR_BODY_TIMEOUT'), DeliveryErrorKind.Timeout],
    ['socket timeout', coded('ETIMEDOUT'), DeliveryErrorKind.Timeout],
    ['the total timeout signal', named('TimeoutError'), DeliveryErrorKind.Timeout],
    ['an aborted request', named('AbortError'), DeliveryErrorKind.Timeout],
    ['connection refused', coded('ECONNREFUSED'), DeliveryErrorKind.ConnectionRefused],
    ['connection reset', coded('ECONNRESET'), DeliveryErrorKind.ConnectionReset],
    ['broken pipe', coded('EPIPE'), DeliveryErrorKind.ConnectionReset],
    ['undici socket error', coded('UND_ERR_SOCKET'), DeliveryErrorKind.ConnectionReset],
    ['connection aborted', coded('ECONNABORTED'), DeliveryErrorKind.ConnectionReset],
    ['unknown host', coded('ENOTFOUND'), DeliveryErrorKind.DnsFailure],
    ['DNS temporary failure', coded('EAI_AGAIN'), DeliveryErrorKind.DnsFailure],
    ['DNS permanent failure', coded('EAI_FAIL'), DeliveryErrorKind.DnsFailure],
    ['DNS no name', coded('EAI_NONAME'), DeliveryErrorKind.DnsFailure],
    ['a TLS protocol error', coded('ERR_TLS_CERT_ALTNAME_INVALID'), DeliveryErrorKind.TlsError],
    [
      'an incomplete chain (known by its message)',
      coded('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'),
      DeliveryErrorKind.TlsError,
    ],
    ['a self-signed certificate', coded('DEPTH_ZERO_SELF_SIGNED_CERT'), DeliveryErrorKind.TlsError],
    ['an expired certificate', coded('CERT_HAS_EXPIRED'), DeliveryErrorKind.TlsError],
    [
      'a TLS failure named only in the message',
      new Error('Client network socket disconnected before secure TLS connection was established'),
      DeliveryErrorKind.TlsError,
    ],
    [
      'an SSL failure named only in the message',
      coded('EPROTO', 'SSL routines:ssl3_get_record:wrong version number'),
      DeliveryErrorKind.TlsError,
    ],
    [
      'the code on the cause (fetch-style wrapping)',
      Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
      DeliveryErrorKind.ConnectionRefused,
    ],
    ['host unreachable', coded('EHOSTUNREACH'), DeliveryErrorKind.NetworkError],
    ['an error with no code', new Error('other side closed'), DeliveryErrorKind.NetworkError],
    ['something thrown that is not an Error', 'boom', DeliveryErrorKind.NetworkError],
  ])('%s', (_case, error, expected) => {
    expect(classifyError(error).errorKind).toBe(expected);
  });

  it("prefers the error's own code to its cause's", () => {
    const error = Object.assign(coded('ECONNRESET'), { cause: { code: 'ECONNREFUSED' } });
    expect(classifyError(error).errorKind).toBe(DeliveryErrorKind.ConnectionReset);
  });

  it('keeps the message, cut to ERROR_MESSAGE_CHARS', () => {
    expect(classifyError(coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9')).message).toBe(
      'connect ECONNREFUSED 127.0.0.1:9',
    );
    expect(classifyError(new Error('x'.repeat(ERROR_MESSAGE_CHARS + 50))).message).toHaveLength(ERROR_MESSAGE_CHARS);
    expect(classifyError('boom').message).toBe('boom');
  });
});
