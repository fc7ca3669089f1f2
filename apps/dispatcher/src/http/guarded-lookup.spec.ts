import { Logger } from '@nestjs/common';
import { LookupAddress } from 'node:dns';
import { guardedLookup } from './guarded-lookup';

describe('guardedLookup', () => {
  it('refuses a name resolving to loopback without naming the address to the tenant, and logs it', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const error = await new Promise<Error | null>((resolve) =>
      guardedLookup('localhost', {}, (failure: Error | null, _address: string | LookupAddress[]) => resolve(failure)),
    );
    expect(error?.message).toBe('localhost resolves to an address that is not allowed');
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/localhost.*(127\.0\.0\.1|::1)/));
    warn.mockRestore();
  });
});
