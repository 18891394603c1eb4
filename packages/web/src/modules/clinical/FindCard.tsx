import { WorkCard } from '../home/WorkCard.tsx';

/** Home card: finding a patient (by NHS number, or name and date of birth). */
export default function FindCard() {
  return (
    <WorkCard title="Find a patient" href="/find">
      By NHS number, or by name and date of birth. You see what the patient’s sharing choices allow.
    </WorkCard>
  );
}
