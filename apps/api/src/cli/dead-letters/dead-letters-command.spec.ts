import { KafkaTopic } from '@app/contracts';
import { parseDeadLettersArgs } from './dead-letters-command';

describe('parseDeadLettersArgs', () => {
  it.each([
    [['list'], { kind: 'list-dead-letters', sourceTopic: undefined }],
    [['list', '--topic', KafkaTopic.Events], { kind: 'list-dead-letters', sourceTopic: KafkaTopic.Events }],
    [['show', 'webhooks.events.v1:3:42'], { kind: 'show-dead-letter', id: 'webhooks.events.v1:3:42' }],
    [
      ['replay', 'a:1:2', 'b:3:4', '--dry-run'],
      { kind: 'replay-dead-letters', selection: { ids: ['a:1:2', 'b:3:4'] }, dryRun: true },
    ],
    [
      ['replay', '--topic', KafkaTopic.DeliveryCommands, '--from', '10', '--to', '20'],
      {
        kind: 'replay-dead-letters',
        selection: { sourceTopic: KafkaTopic.DeliveryCommands, partition: undefined, fromOffset: 10n, toOffset: 20n },
        dryRun: false,
      },
    ],
    [
      ['replay', '--topic', KafkaTopic.DeliveryLogs, '--partition', '2', '--from', '5', '--to', '5'],
      {
        kind: 'replay-dead-letters',
        selection: { sourceTopic: KafkaTopic.DeliveryLogs, partition: 2, fromOffset: 5n, toOffset: 5n },
        dryRun: false,
      },
    ],
  ])('parses %p', (args, expected) => {
    const [action, ...rest] = args;
    expect(parseDeadLettersArgs(action, rest)).toEqual(expected);
  });

  it.each([
    [['purge'], 'unknown dead-letters action "purge"'],
    [['list', 'extra'], 'dead-letters list takes only --topic <source-topic>'],
    [['list', '--topic', KafkaTopic.DeadLetter], '--topic must be a topic the service consumes'],
    [['show'], 'dead-letters show takes exactly one id'],
    [['show', 'a', 'b'], 'dead-letters show takes exactly one id'],
    [['replay'], 'dead-letters replay needs ids, or --topic <source-topic> --from <offset> --to <offset>'],
    [['replay', '--topic', KafkaTopic.Events, '--from', '3'], 'dead-letters replay needs ids'],
    [['replay', '--topic', KafkaTopic.Events, '--from', '9', '--to', '3'], '--from and --to must be offsets'],
    [['replay', '--topic', KafkaTopic.Events, '--from', '1.5', '--to', '3'], '--from and --to must be offsets'],
    [['replay', 'a:1:2', '--topic', KafkaTopic.Events], 'dead-letters replay takes either ids or --topic'],
    [['replay', '--color', 'red'], 'unknown option "--color"'],
  ])('refuses %p', (args, reason) => {
    const [action, ...rest] = args;
    const parsed = parseDeadLettersArgs(action, rest);
    expect(parsed).toEqual({ reason: expect.stringContaining(reason) });
  });
});
