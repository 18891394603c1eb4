import { WorkCard } from '../home/WorkCard.tsx';

/** Home card: the risk of emergency admission list (identifiable for clinicians, pseudonymised for commissioners). */
export default function RiskCard() {
  return (
    <WorkCard title="Risk of admission" href="/population-health">
      People most at risk of an emergency admission, with the reasons, to plan proactive care.
    </WorkCard>
  );
}
