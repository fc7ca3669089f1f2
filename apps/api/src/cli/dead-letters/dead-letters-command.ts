import { KafkaTopic } from '@app/contracts';

/** `dead-letters …`: what to read from the dead-letter topic, and what to send back to its source. */
export type DeadLettersCommand =
  | { kind: 'list-dead-letters'; sourceTopic?: string }
  | { kind: 'show-dead-letter'; id: string }
  | { kind: 'replay-dead-letters'; selection: ReplaySelection; dryRun: boolean };

/** Letters by id, or the letters of one source topic (and partition) whose source offsets are in a range. */
export type ReplaySelection =
  { ids: string[] } | { sourceTopic: string; partition?: number; fromOffset: bigint; toOffset: bigint };

export const DEAD_LETTERS_USAGE = [
  `  npm run cli -- dead-letters list [--topic <source-topic>]`,
  '      every dead letter on the topic: its id (<source-topic>:<partition>:<offset>), when and why',
  '  npm run cli -- dead-letters show <id>   the letter with its original key and bytes',
  '  npm run cli -- dead-letters replay <id>... [--dry-run]',
  '  npm run cli -- dead-letters replay --topic <source-topic> [--partition <n>] --from <offset> --to <offset> [--dry-run]',
  '      sends the original messages back to their source topic, once their cause is fixed; safe to repeat',
];

const SOURCE_TOPICS: readonly string[] = [KafkaTopic.DeliveryCommands, KafkaTopic.Events, KafkaTopic.DeliveryLogs];
const OFFSET = /^\d{1,19}$/;

export function parseDeadLettersArgs(
  action: string | undefined,
  args: string[],
): DeadLettersCommand | { reason: string } {
  const parsed = splitArgs(args, ['--topic', '--partition', '--from', '--to'], ['--dry-run']);
  if ('reason' in parsed) return parsed;
  const { options, positional } = parsed;
  const sourceTopic = options.get('--topic');
  if (sourceTopic !== undefined && !SOURCE_TOPICS.includes(sourceTopic)) {
    return { reason: `--topic must be a topic the service consumes: ${SOURCE_TOPICS.join(', ')}` };
  }
  if (action === 'list') {
    if (positional.length > 0 || options.size > (sourceTopic === undefined ? 0 : 1)) {
      return { reason: 'dead-letters list takes only --topic <source-topic>' };
    }
    return { kind: 'list-dead-letters', sourceTopic };
  }
  if (action === 'show') {
    if (positional.length !== 1 || options.size > 0) return { reason: 'dead-letters show takes exactly one id' };
    return { kind: 'show-dead-letter', id: positional[0] };
  }
  if (action === 'replay') return parseReplay(positional, options);
  return { reason: `unknown dead-letters action "${action ?? ''}"` };
}

function parseReplay(positional: string[], options: Map<string, string>): DeadLettersCommand | { reason: string } {
  const dryRun = options.delete('--dry-run');
  if (positional.length > 0) {
    if (options.size > 0) return { reason: 'dead-letters replay takes either ids or --topic with --from and --to' };
    return { kind: 'replay-dead-letters', selection: { ids: positional }, dryRun };
  }
  const [sourceTopic, from, to, partition] = ['--topic', '--from', '--to', '--partition'].map((flag) =>
    options.get(flag),
  );
  if (sourceTopic === undefined || from === undefined || to === undefined) {
    return { reason: 'dead-letters replay needs ids, or --topic <source-topic> --from <offset> --to <offset>' };
  }
  if (!OFFSET.test(from) || !OFFSET.test(to) || BigInt(from) > BigInt(to)) {
    return { reason: '--from and --to must be offsets (whole numbers), --from not after --to' };
  }
  if (partition !== undefined && !/^\d{1,4}$/.test(partition)) return { reason: '--partition must be a whole number' };
  return {
    kind: 'replay-dead-letters',
    selection: {
      sourceTopic,
      partition: partition === undefined ? undefined : Number(partition),
      fromOffset: BigInt(from),
      toOffset: BigInt(to),
    },
    dryRun,
  };
}

/** Flags with a value, `switches` without (present: ''), and the rest in order. */
function splitArgs(
  args: string[],
  known: string[],
  switches: string[],
): { options: Map<string, string>; positional: string[] } | { reason: string } {
  const options = new Map<string, string>();
  const positional: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    if (switches.includes(arg)) options.set(arg, '');
    else if (!arg.startsWith('--')) positional.push(arg);
    else if (!known.includes(arg)) return { reason: `unknown option "${arg}"` };
    else {
      const value = args[index + 1];
      if (value === undefined || value.startsWith('--')) return { reason: `${arg} needs a value` };
      options.set(arg, value);
      index += 1;
    }
  }
  return { options, positional };
}

const KINDS: readonly string[] = ['list-dead-letters', 'show-dead-letter', 'replay-dead-letters'];

export function isDeadLettersCommand(command: { kind: string }): command is DeadLettersCommand {
  return KINDS.includes(command.kind);
}
