import { OffsetTracker } from './offset-tracker';

const commitAll = (tracker: OffsetTracker) => {
  const offsets = tracker.committable();
  tracker.markCommitted(offsets);
  return offsets;
};

describe('OffsetTracker', () => {
  it('commits only below the lowest offset still in flight', () => {
    const tracker = new OffsetTracker();
    ['10', '11', '12'].forEach((offset) => tracker.track('commands', 0, offset));
    tracker.done('commands', 0, '11');
    tracker.done('commands', 0, '12');
    expect(commitAll(tracker)).toEqual([{ topic: 'commands', partition: 0, offset: '10' }]);
    tracker.done('commands', 0, '10');
    expect(commitAll(tracker)).toEqual([{ topic: 'commands', partition: 0, offset: '13' }]);
    expect(commitAll(tracker)).toEqual([]);
    expect(tracker.inFlightCount).toBe(0);
  });

  it('offers an offset again until its commit is confirmed', () => {
    const tracker = new OffsetTracker();
    tracker.track('commands', 0, '4');
    tracker.done('commands', 0, '4');
    expect(tracker.committable()).toEqual([{ topic: 'commands', partition: 0, offset: '5' }]);
    // The commit failed: nothing marked, so the same offset comes back.
    expect(tracker.committable()).toEqual([{ topic: 'commands', partition: 0, offset: '5' }]);
    tracker.markCommitted(tracker.committable());
    expect(tracker.committable()).toEqual([]);
  });

  it('never commits past an abandoned message, which no longer counts as in flight', () => {
    const tracker = new OffsetTracker();
    ['20', '21', '22'].forEach((offset) => tracker.track('commands', 0, offset));
    tracker.done('commands', 0, '20');
    tracker.abandon('commands', 0, '21');
    tracker.done('commands', 0, '22');
    expect(tracker.inFlightCount).toBe(0);
    expect(commitAll(tracker)).toEqual([{ topic: 'commands', partition: 0, offset: '21' }]);
  });

  it('keeps partitions apart and forgets revoked ones', () => {
    const tracker = new OffsetTracker();
    tracker.track('commands', 0, '5');
    tracker.track('commands', 1, '7');
    tracker.done('commands', 1, '7');
    tracker.retainOnly([{ topic: 'commands', partition: 1 }]);
    expect(commitAll(tracker)).toEqual([{ topic: 'commands', partition: 1, offset: '8' }]);
    expect(tracker.inFlightCount).toBe(0);
  });
});
