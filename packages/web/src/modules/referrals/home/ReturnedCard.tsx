import { WorklistCard } from './worklist-card.tsx';

/** Home card for referrers: rejected or returned referrals waiting for them to act (H-207). */
export default function ReturnedCard() {
  return (
    <WorklistCard
      list="rejected-or-returned"
      title="Rejected or returned referrals"
      text="Close each one or revise and send it again, so that none is lost."
    />
  );
}
