import { WorkCard } from '../home/WorkCard.tsx';

/** Home card: the practice's text messages, reminders and recalls. */
export default function PracticeTextsCard() {
  return (
    <WorkCard title="Practice texts" href="/practice-sms">
      Replies from patients, appointment reminders, recalls and results texts.
    </WorkCard>
  );
}
