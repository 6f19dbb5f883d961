import type { DeliveryItem, DeliveryPlan, MemberPlan } from '../app/sender-ports.js';
import { SenderMode } from '../domain/campaign.js';

/** The distinct members of a channel a campaign creates: receiver, sender (unless excluded), template members. */
export function newChannelMembers(plan: DeliveryPlan, item: DeliveryItem): MemberPlan[] {
  const members: MemberPlan[] = [{ user_id: item.receiverId!, channel_role: 'channel_member' }];
  if (plan.senderMode !== SenderMode.exclude && plan.senderId !== item.receiverId) {
    members.push({ user_id: plan.senderId, channel_role: 'owner' });
  }
  for (const m of plan.channel.members) if (!members.some((x) => x.user_id === m.user_id)) members.push(m);
  return members;
}
