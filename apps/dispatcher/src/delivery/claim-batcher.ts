import { Logger } from '@nestjs/common';
import { ClaimOutcome, DeliveryTaskRepository, TaskClaim } from '@app/persistence';
import { untilAvailable } from './until-available';

interface PendingClaim {
  claim: TaskClaim;
  resolve: (outcome: ClaimOutcome) => void;
}

/** Most claims in one bulk write. */
const CLAIM_BATCH = 1_000;

/**
 * Coalesces claims made while a bulk claim is on the wire into the next bulk claim: one database round
 * trip for a whole batch of deliveries, and a bounded number of concurrent queries however many
 * deliveries are in flight.
 */
export class ClaimBatcher {
  private readonly logger = new Logger(ClaimBatcher.name);
  private queue: PendingClaim[] = [];
  private flushing = false;

  constructor(
    private readonly tasks: DeliveryTaskRepository,
    private readonly owner: string,
    private readonly leaseMs: number,
  ) {}

  claim(claim: TaskClaim): Promise<ClaimOutcome> {
    return new Promise((resolve) => {
      this.queue.push({ claim, resolve });
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, CLAIM_BATCH);
        const outcomes = await untilAvailable(this.logger, 'Claiming deliveries', () =>
          this.tasks.claim(
            batch.map(({ claim }) => claim),
            this.owner,
            this.leaseMs,
          ),
        );
        batch.forEach(({ resolve }, index) => resolve(outcomes[index]));
      }
    } finally {
      this.flushing = false;
    }
  }
}
