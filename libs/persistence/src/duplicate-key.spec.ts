import { isDuplicateKeyOnly } from './duplicate-key';

describe('isDuplicateKeyOnly', () => {
  it('accepts a single duplicate-key error and a bulk write whose every error is one', () => {
    expect(isDuplicateKeyOnly({ code: 11000 })).toBe(true);
    expect(isDuplicateKeyOnly({ code: 11000, writeErrors: [{ code: 11000 }, { code: 11000 }] })).toBe(true);
  });

  it('rejects anything else, including a bulk write with one other error among duplicates', () => {
    expect(isDuplicateKeyOnly({ code: 11000, writeErrors: [{ code: 11000 }, { code: 121 }] })).toBe(false);
    expect(isDuplicateKeyOnly({ code: 91 })).toBe(false);
    expect(isDuplicateKeyOnly(new Error('connection reset'))).toBe(false);
    expect(isDuplicateKeyOnly(undefined)).toBe(false);
  });
});
