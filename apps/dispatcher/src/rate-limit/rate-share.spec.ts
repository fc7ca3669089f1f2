import { AssignerProtocol, GroupDescription } from 'kafkajs';
import { deliveringMembers, rateShare } from './rate-share';

const TOPIC = 'webhooks.delivery-commands.v1';
const member = (assignment: Record<string, number[]> | null) => ({
  memberId: `m-${Math.random()}`,
  clientId: 'webhook-delivery-dispatcher',
  clientHost: '/127.0.0.1',
  memberMetadata: Buffer.alloc(0),
  memberAssignment:
    assignment === null
      ? Buffer.alloc(0)
      : AssignerProtocol.MemberAssignment.encode({ version: 0, assignment, userData: Buffer.alloc(0) }),
});
const group = (state: GroupDescription['state'], members: ReturnType<typeof member>[]) => ({ state, members });

describe('deliveringMembers', () => {
  it.each<[string, ReturnType<typeof group>, number | null]>([
    ['two members with partitions', group('Stable', [member({ [TOPIC]: [0, 1] }), member({ [TOPIC]: [2] })]), 2],
    [
      'a member beyond the partition count does not deliver',
      group('Stable', [member({ [TOPIC]: [0, 1, 2] }), member({ [TOPIC]: [] }), member({})]),
      1,
    ],
    [
      'partitions of another topic do not count',
      group('Stable', [member({ [TOPIC]: [0] }), member({ other: [0] })]),
      1,
    ],
    ['a group between assignments', group('PreparingRebalance', [member(null), member(null)]), null],
    ['a group still completing its assignment', group('CompletingRebalance', [member({ [TOPIC]: [0] })]), null],
    ['an empty group', group('Empty', []), null],
    ['a stable group whose members hold nothing yet', group('Stable', [member(null)]), null],
  ])('%s', (_case, description, expected) => {
    expect(deliveringMembers(description, TOPIC)).toBe(expected);
  });
});

describe('rateShare', () => {
  it.each([
    [10, 1, 10],
    [10, 2, 5],
    [5, 2, 2.5],
    [1, 3, 1 / 3],
    [10, 0, 10],
  ])('rateLimit %d among %d dispatchers: %d per second each', (rateLimit, members, share) => {
    expect(rateShare(rateLimit, members)).toBeCloseTo(share);
  });
});
