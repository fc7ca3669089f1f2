import { AssignerProtocol, GroupDescription } from 'kafkajs';

/**
 * Dispatchers that deliver: members of the group holding at least one partition of the commands topic
 * (a member beyond the partition count gets no commands). Null while the group is between assignments,
 * when the count would be wrong: the caller keeps the last one.
 */
export function deliveringMembers(group: Pick<GroupDescription, 'state' | 'members'>, topic: string): number | null {
  if (group.state !== 'Stable') return null;
  const holding = group.members.filter((member) => {
    const decoded =
      member.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(member.memberAssignment) : null;
    return (decoded?.assignment[topic]?.length ?? 0) > 0;
  }).length;
  return holding > 0 ? holding : null;
}

/**
 * This dispatcher's part of a webhook's rateLimit. Commands are keyed by event id, so every dispatcher
 * holding partitions gets about the same part of each webhook's deliveries, and an equal share adds up
 * to the limit.
 */
export const rateShare = (rateLimit: number, members: number): number => rateLimit / Math.max(1, members);
