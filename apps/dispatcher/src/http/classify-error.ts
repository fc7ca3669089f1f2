import { DeliveryErrorKind } from '@app/contracts';
import { ERROR_MESSAGE_CHARS } from '../policy/delivery-policy';

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);

/** Maps a failed request to the error kind users see in the logs. */
export function classifyError(error: unknown): { errorKind: DeliveryErrorKind; message: string } {
  const cause = error as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = cause.code ?? cause.cause?.code ?? '';
  const message = (cause.message ?? String(error)).slice(0, ERROR_MESSAGE_CHARS);
  const kind = (): DeliveryErrorKind => {
    if (code === 'BLOCKED_TARGET') return DeliveryErrorKind.BlockedTarget;
    if (TIMEOUT_CODES.has(code) || cause.name === 'TimeoutError' || cause.name === 'AbortError') {
      return DeliveryErrorKind.Timeout;
    }
    if (code === 'ECONNREFUSED') return DeliveryErrorKind.ConnectionRefused;
    if (RESET_CODES.has(code)) return DeliveryErrorKind.ConnectionReset;
    if (DNS_CODES.has(code)) return DeliveryErrorKind.DnsFailure;
    if (code.startsWith('ERR_TLS') || code.includes('CERT') || /certificate|tls|ssl/i.test(message)) {
      return DeliveryErrorKind.TlsError;
    }
    return DeliveryErrorKind.NetworkError;
  };
  return { errorKind: kind(), message };
}
