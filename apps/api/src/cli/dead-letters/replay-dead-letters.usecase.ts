import { Injectable } from '@nestjs/common';
import { KafkaProducer, OutgoingMessage } from '@app/kafka';
import { StoredDeadLetter } from './dead-letter-reader';
import { replayMessageOf } from './replay-message';

export type ReplayOutcome =
  { id: string; replayed: true; topic: string } | { id: string; replayed: false; reason: string };

/**
 * Sends dead letters' original messages back to their source topics, where the consumers take them as
 * they would have the first time; their ids make a repeated replay a no-op (see replay-message.ts).
 */
@Injectable()
export class ReplayDeadLettersUseCase {
  constructor(private readonly producer: KafkaProducer) {}

  async execute({ letters, dryRun }: { letters: StoredDeadLetter[]; dryRun: boolean }): Promise<ReplayOutcome[]> {
    const outcomes: ReplayOutcome[] = [];
    const messages: OutgoingMessage[] = [];
    for (const { id, letter } of letters) {
      const replay = replayMessageOf(letter);
      if (!replay.ok) {
        outcomes.push({ id, replayed: false, reason: replay.reason });
        continue;
      }
      messages.push(replay.message);
      outcomes.push({ id, replayed: true, topic: replay.message.topic });
    }
    if (!dryRun) await this.producer.sendAll(messages);
    return outcomes;
  }
}
