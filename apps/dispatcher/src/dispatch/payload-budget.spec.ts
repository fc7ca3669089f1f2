import { PayloadBudget } from './payload-budget';

describe('PayloadBudget', () => {
  const settled = async (promise: Promise<void>): Promise<boolean> => {
    let done = false;
    void promise.then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    return done;
  };

  it('lets holders in while they fit, and the next waiting one when enough is released', async () => {
    const budget = new PayloadBudget(100);
    await budget.acquire(60);
    await budget.acquire(40);

    const third = budget.acquire(30);
    expect(await settled(third)).toBe(false);
    expect(budget.waitingCount).toBe(1);

    budget.release(40);
    expect(await settled(third)).toBe(true);
    expect(budget.bytesHeld).toBe(90);
    expect(budget.waitingCount).toBe(0);
  });

  it('serves waiting holders in arrival order, so a large one is not overtaken forever', async () => {
    const budget = new PayloadBudget(100);
    await budget.acquire(90);
    const large = budget.acquire(80);
    const small = budget.acquire(5);

    expect(await settled(small)).toBe(false);
    budget.release(90);
    expect(await settled(large)).toBe(true);
    expect(await settled(small)).toBe(true);
    expect(budget.bytesHeld).toBe(85);
  });

  it('lets one holder larger than the whole budget in when nothing else is held', async () => {
    const budget = new PayloadBudget(100);
    await budget.acquire(10);
    const huge = budget.acquire(500);

    expect(await settled(huge)).toBe(false);
    budget.release(10);
    expect(await settled(huge)).toBe(true);
    expect(budget.bytesHeld).toBe(500);
  });
});
