import { OffsetTracker } from './offset-tracker';

describe('OffsetTracker', () => {
  it('commits only below the lowest offset still in flight', () => {
    const tracker = new OffsetTracker();
    ['10', '11', '12'].forEach((offset) => tracker.track('commands', 0, offset));
    tracker.done('commands', 0, '11');
    tracker.done('commands', 0, '12');
    expect(tracker.takeCommittable()).toEqual([{ topic: 'commands', partition: 0, offset: '10' }]);
    tracker.done('commands', 0, '10');
    expect(tracker.takeCommittable()).toEqual([{ topic: 'commands', partition: 0, offset: '13' }]);
    expect(tracker.takeCommittable()).toEqual([]);
    expect(tracker.inFlightCount).toBe(0);
  });

  it('keeps partitions apart and forgets revoked ones', () => {
    const tracker = new OffsetTracker();
    tracker.track('commands', 0, '5');
    tracker.track('commands', 1, '7');
    tracker.done('commands', 1, '7');
    tracker.retainOnly([{ topic: 'commands', partition: 1 }]);
    expect(tracker.takeCommittable()).toEqual([{ topic: 'commands', partition: 1, offset: '8' }]);
    expect(tracker.inFlightCount).toBe(0);
  });
});
