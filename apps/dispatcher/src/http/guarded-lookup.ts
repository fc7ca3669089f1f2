import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'node:dns';
import { Logger } from '@nestjs/common';
import { isBlockedAddress } from './address-policy';

export class BlockedTargetError extends Error {
  readonly code = 'BLOCKED_TARGET';
}

const logger = new Logger('GuardedLookup');

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A drop-in for dns.lookup that refuses a host when any address it resolves to is blocked. undici
 * calls it for the connection it is about to open, so the address checked is the address dialled:
 * a DNS answer that changes between a check and the connect (rebinding) cannot slip through.
 */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const refused = addresses.find((entry) => isBlockedAddress(entry.address));
    if (refused) {
      // The message reaches the tenant (GET .../logs): it must not map our network, so only this log names the address.
      logger.warn(`Refused ${hostname}: it resolves to ${refused.address}`);
      return callback(new BlockedTargetError(`${hostname} resolves to an address that is not allowed`), []);
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}
