import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { deadLetterIdOf, DeadLetterV1, KafkaTopic } from '@app/contracts';
import { readTopicToEnd } from '@app/kafka';

/** A dead letter as read from the dead-letter topic. */
export interface StoredDeadLetter {
  id: string;
  letter: DeadLetterV1;
  /** Where on the dead-letter topic (its latest copy, when the message was dead-lettered more than once). */
  partition: number;
  offset: string;
  /** How often the same source message was dead-lettered: a consumer that crashed before committing reads it again. */
  copies: number;
}

/** Reads the dead-letter topic as it is now, without moving any consumer group the apps use. */
@Injectable()
export class DeadLetterReader {
  constructor(private readonly config: AppConfig) {}

  /** Every letter, one per source message, oldest failure first; `unreadable` counts messages that are not letters. */
  async readAll(): Promise<{ letters: StoredDeadLetter[]; unreadable: number }> {
    const byId = new Map<string, StoredDeadLetter>();
    let unreadable = 0;
    for (const { partition, message } of await readTopicToEnd(this.config, KafkaTopic.DeadLetter)) {
      const letter = decode(message.value);
      if (!letter) {
        unreadable += 1;
        continue;
      }
      const id = deadLetterIdOf(letter);
      const copies = (byId.get(id)?.copies ?? 0) + 1;
      byId.set(id, { id, letter, partition, offset: message.offset, copies });
    }
    const letters = [...byId.values()].sort((a, b) => a.letter.failedAt.localeCompare(b.letter.failedAt));
    return { letters, unreadable };
  }
}

function decode(value: Buffer | null): DeadLetterV1 | undefined {
  try {
    const letter = JSON.parse(value?.toString('utf8') ?? '') as DeadLetterV1;
    const valid =
      letter?.version === 1 &&
      typeof letter.sourceTopic === 'string' &&
      typeof letter.partition === 'number' &&
      typeof letter.offset === 'string' &&
      typeof letter.reason === 'string';
    return valid ? letter : undefined;
  } catch {
    return undefined;
  }
}
