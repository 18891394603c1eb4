import { WorklistCard } from './worklist-card.tsx';

/** Home card for triagers: referrals waiting for review. */
export default function ReviewCard() {
  return (
    <WorklistCard
      list="for-review"
      title="Referrals to triage"
      text="Accept, reject or return with advice; the patient’s letter is shown before you decide."
    />
  );
}
