import { ConflictException, NotFoundException } from '@nestjs/common';
import {
  asTenantId,
  EventStatus,
  newRetryJob,
  RetryJobDocument,
  RetryJobRepository,
  RetryJobStatus,
  WebhookDocument,
} from '@app/persistence';
import { GetWebhookUseCase } from '../../../webhooks/usecases/get-webhook/get-webhook.usecase';
import { BulkRetryRunner } from '../../bulk-retry.runner';
import { BulkRetryDto } from '../../dtos/bulk-retry.dto';
import { StartBulkRetryUseCase } from './start-bulk-retry.usecase';

const TENANT = asTenantId('acme');
const WEBHOOK_ID = '0b6c4a53-8f4e-4d3a-9a51-3c1d2e7f9a10';

/** A stub world: the tenant's webhooks, what the runner answers, and every job stored. */
function setUp(options: { webhooks?: Partial<WebhookDocument>[]; startNow?: () => Promise<boolean> } = {}) {
  const stored: RetryJobDocument[] = [];
  const jobs = { insert: jest.fn(async (job: RetryJobDocument) => void stored.push({ ...job })) };
  const getWebhook = {
    execute: jest.fn(async ({ webhookId }: { webhookId: string }) => {
      const webhook = options.webhooks?.find(({ _id }) => _id === webhookId);
      if (!webhook) throw new NotFoundException('Webhook not found');
      return webhook as WebhookDocument;
    }),
  };
  const runner = { startNow: jest.fn(options.startNow ?? (async () => true)) };
  const useCase = new StartBulkRetryUseCase(
    jobs as unknown as RetryJobRepository,
    getWebhook as unknown as GetWebhookUseCase,
    runner as unknown as BulkRetryRunner,
  );
  return { useCase, stored, runner };
}

const start = (useCase: StartBulkRetryUseCase, filter: BulkRetryDto) =>
  useCase.execute({ tenantId: TENANT, tokenId: 'token-1', filter });

describe('StartBulkRetryUseCase', () => {
  it('stores the job queued, unowned and with nothing counted, then starts it at once', async () => {
    const { useCase, stored, runner } = setUp();
    const accepted = await start(useCase, { status: EventStatus.Failed });

    expect(stored).toHaveLength(1);
    const [job] = stored;
    // A new job (queued, unowned, nothing counted: newRetryJob) of this tenant, token and filter.
    expect(job).toEqual(
      newRetryJob(
        { _id: accepted.jobId, tenantId: TENANT, requestedBy: 'token-1', filter: { status: EventStatus.Failed } },
        job.createdAt,
      ),
    );
    expect(job.createdAt).toBeInstanceOf(Date);
    expect(runner.startNow).toHaveBeenCalledWith(expect.objectContaining({ _id: accepted.jobId }));
    expect(accepted).toEqual({ jobId: accepted.jobId, status: RetryJobStatus.Running });
  });

  it('stores only the filters given, with the dates as dates', async () => {
    const { useCase, stored } = setUp({ webhooks: [{ _id: WEBHOOK_ID, active: true }] });
    await start(useCase, { webhookId: WEBHOOK_ID, type: 'order.created', from: '2030-01-01T00:00:00Z' });
    expect(stored[0].filter).toEqual({
      webhookId: WEBHOOK_ID,
      type: 'order.created',
      from: new Date('2030-01-01T00:00:00Z'),
    });
  });

  it.each<[string, () => Promise<boolean>]>([
    ['its tenant has no free slot', async () => false],
    ['starting it fails', async () => Promise.reject(new Error('MongoDB went away'))],
  ])('answers queued when %s: the job is stored and a runner takes it up later', async (_, startNow) => {
    const { useCase, stored } = setUp({ startNow });
    const accepted = await start(useCase, {});
    expect(accepted).toEqual({ jobId: stored[0]._id, status: RetryJobStatus.Queued });
  });

  it('refuses a disabled webhook (409) and an unknown one (404), storing nothing', async () => {
    const { useCase, stored } = setUp({ webhooks: [{ _id: WEBHOOK_ID, active: false }] });
    await expect(start(useCase, { webhookId: WEBHOOK_ID })).rejects.toThrow(
      new ConflictException('Webhook is disabled'),
    );
    await expect(start(useCase, { webhookId: '7d1f0c2e-5b3a-4c8d-9e6f-1a2b3c4d5e6f' })).rejects.toBeInstanceOf(
      NotFoundException,
    );
    expect(stored).toEqual([]);
  });
});
