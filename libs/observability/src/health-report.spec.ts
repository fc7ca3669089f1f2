import { ServiceUnavailableException } from '@nestjs/common';
import { NOT_HEALTHY_MESSAGE, publicStatus, reportOf } from './health-report';

const downResult = {
  status: 'error',
  error: { kafka: { status: 'down', message: 'connect ECONNREFUSED 10.0.0.7:9092' } },
};

describe('health reports', () => {
  it('keeps a passing check’s whole result for the ops listener', async () => {
    const result = { status: 'ok', info: { kafka: { status: 'up', brokers: 3 } } };
    await expect(reportOf(async () => result)).resolves.toEqual({ healthy: true, details: result });
  });

  it('keeps a failing check’s whole result too (terminus throws it as a 503)', async () => {
    const report = await reportOf(async () => {
      throw new ServiceUnavailableException(downResult);
    });
    expect(report).toEqual({ healthy: false, details: downResult });
  });

  it('lets any other error through', async () => {
    await expect(
      reportOf(async () => {
        throw new Error('a bug');
      }),
    ).rejects.toThrow('a bug');
  });

  it('shows the public port the status alone', () => {
    expect(publicStatus({ healthy: true, details: { info: { kafka: { brokers: 3 } } } })).toEqual({ status: 'ok' });
    const refusal = (() => {
      try {
        publicStatus({ healthy: false, details: downResult });
      } catch (error) {
        return error as ServiceUnavailableException;
      }
    })();
    expect(refusal).toBeInstanceOf(ServiceUnavailableException);
    expect(refusal?.getResponse()).toEqual(expect.objectContaining({ message: NOT_HEALTHY_MESSAGE }));
    expect(JSON.stringify(refusal?.getResponse())).not.toContain('10.0.0.7');
  });
});
