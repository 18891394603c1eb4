import { WorklistCard } from './worklist-card.tsx';

/** Home card for booking clerks: referrals awaiting an appointment, longest wait first. */
export default function BookingCard() {
  return (
    <WorklistCard
      list="awaiting-booking"
      title="Referrals awaiting booking"
      text="Book the first appointment inside each referral’s booking window."
    />
  );
}
