import { Logger } from '@nestjs/common';
import { CoalescingQueue, untilAvailable } from '@app/common';
import { ClaimOutcome, DeliveryTaskRepository, TaskClaim } from '@app/persistence';

/** Most claims in one bulk write. */
const CLAIM_BATCH = 1_000;

/**
 * Claims made while a bulk claim is on the wire go together in the next one: one database round trip
 * for a whole batch of deliveries, and a bounded number of concurrent queries however many deliveries
 * are in flight.
 */
export class ClaimBatcher {
  private readonly logger = new Logger(ClaimBatcher.name);
  private readonly claims: CoalescingQueue<TaskClaim, ClaimOutcome>;

  constructor(tasks: DeliveryTaskRepository, owner: string, leaseMs: number) {
    this.claims = new CoalescingQueue(CLAIM_BATCH, (batch) =>
      untilAvailable(this.logger, 'Claiming deliveries', () => tasks.claim(batch, owner, leaseMs)),
    );
  }

  claim(claim: TaskClaim): Promise<ClaimOutcome> {
    return this.claims.push(claim);
  }
}
