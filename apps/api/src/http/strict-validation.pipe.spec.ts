import { BadRequestException } from '@nestjs/common';
import { IsOptional, IsUUID } from 'class-validator';
import { StrictValidationPipe } from './strict-validation.pipe';

class RetryBody {
  @IsOptional()
  @IsUUID('all', { message: 'webhookId must be a valid UUID' })
  webhookId?: string;
}

const asBody = { type: 'body' as const, metatype: RetryBody };

async function messageOf(value: unknown): Promise<string> {
  try {
    await new StrictValidationPipe().transform(value, asBody);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    return (error as BadRequestException).message;
  }
  throw new Error('expected a 400');
}

describe('StrictValidationPipe', () => {
  it('accepts an absent body as an empty one', async () => {
    await expect(new StrictValidationPipe().transform(undefined, asBody)).resolves.toBeInstanceOf(RetryBody);
  });

  it('reports the first failure as one message', async () => {
    await expect(messageOf({ webhookId: {} })).resolves.toBe('webhookId must be a valid UUID');
  });

  it('rejects unknown fields, including Mongo operators', async () => {
    await expect(messageOf({ $where: 'sleep(1000)' })).resolves.toBe('property $where should not exist');
  });

  it('rejects a body that is not a JSON object', async () => {
    await expect(messageOf([])).resolves.toBe('Request body must be a JSON object');
    await expect(messageOf('text')).resolves.toBe('Request body must be a JSON object');
  });
});
