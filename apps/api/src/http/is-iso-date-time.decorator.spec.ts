import { validateSync } from 'class-validator';
import { IsIsoDateTime } from './is-iso-date-time.decorator';

class Filter {
  @IsIsoDateTime('from must be an ISO 8601 date-time')
  from: string;
}

const messagesFor = (from: string) =>
  validateSync(Object.assign(new Filter(), { from }), { stopAtFirstError: true }).flatMap((error) =>
    Object.values(error.constraints ?? {}),
  );

describe('IsIsoDateTime', () => {
  it('accepts ISO instants and dates', () => {
    for (const from of ['2026-01-02T03:04:05.678Z', '2026-01-02T03:04:05+01:00', '2026-01-02']) {
      expect(messagesFor(from)).toEqual([]);
    }
  });

  it('refuses ISO forms no Date can hold, with the field message', () => {
    for (const from of ['2020-W01', '2020-366', '2020-01-01T00:00:00,5Z', '2020-01-01T0000', 'yesterday']) {
      expect(messagesFor(from)).toEqual(['from must be an ISO 8601 date-time']);
    }
  });
});
