import { NestFactory } from '@nestjs/core';
import { deadLetterDetails, deadLetterLines } from './dead-letter-format';
import { DeadLetterReader, StoredDeadLetter } from './dead-letter-reader';
import { DeadLettersCliModule } from './dead-letters-cli.module';
import { DeadLettersCommand, ReplaySelection } from './dead-letters-command';
import { ReplayDeadLettersUseCase } from './replay-dead-letters.usecase';

/**
 * `dead-letters list|show|replay`. Exits 1 when a letter asked for is not there or was not replayed, so a
 * script notices.
 */
export async function runDeadLetters(command: DeadLettersCommand, print: (line: string) => void): Promise<number> {
  const app = await NestFactory.createApplicationContext(DeadLettersCliModule, { logger: ['error', 'warn'] });
  try {
    const { letters, unreadable } = await app.get(DeadLetterReader).readAll();
    if (unreadable > 0) print(`(${unreadable} message(s) on the dead-letter topic are not dead letters; left out)`);
    if (command.kind === 'list-dead-letters') {
      const shown = letters.filter(({ letter }) => !command.sourceTopic || letter.sourceTopic === command.sourceTopic);
      deadLetterLines(shown, command.sourceTopic).forEach((line) => print(line));
      return 0;
    }
    if (command.kind === 'show-dead-letter') {
      const found = letters.find(({ id }) => id === command.id);
      if (!found) {
        print(`No dead letter ${command.id} (ids are <source-topic>:<partition>:<offset>, as list prints them).`);
        return 1;
      }
      deadLetterDetails(found).forEach((line) => print(line));
      return 0;
    }
    const { chosen, missing } = select(letters, command.selection);
    missing.forEach((id) => print(`No dead letter ${id}.`));
    if (chosen.length === 0) {
      print('No dead letters to replay.');
      return 1;
    }
    const outcomes = await app.get(ReplayDeadLettersUseCase).execute({ letters: chosen, dryRun: command.dryRun });
    const verb = command.dryRun ? 'would replay' : 'replayed';
    for (const outcome of outcomes) {
      print(
        outcome.replayed ? `${verb} ${outcome.id} to ${outcome.topic}` : `skipped ${outcome.id}: ${outcome.reason}`,
      );
    }
    const replayed = outcomes.filter((outcome) => outcome.replayed).length;
    print(`${command.dryRun ? 'Would replay' : 'Replayed'} ${replayed} of ${outcomes.length} dead letter(s).`);
    return replayed === outcomes.length && missing.length === 0 ? 0 : 1;
  } finally {
    await app.close();
  }
}

function select(letters: StoredDeadLetter[], selection: ReplaySelection) {
  if ('ids' in selection) {
    const byId = new Map(letters.map((stored) => [stored.id, stored]));
    const ids = [...new Set(selection.ids)];
    return {
      chosen: ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : [])),
      missing: ids.filter((id) => !byId.has(id)),
    };
  }
  const { sourceTopic, partition, fromOffset, toOffset } = selection;
  const chosen = letters.filter(({ letter }) => {
    const offset = BigInt(letter.offset);
    return (
      letter.sourceTopic === sourceTopic &&
      (partition === undefined || letter.partition === partition) &&
      offset >= fromOffset &&
      offset <= toOffset
    );
  });
  return { chosen, missing: [] };
}
