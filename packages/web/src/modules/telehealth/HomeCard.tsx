import { useQuery } from '@tanstack/react-query';
import { WorkCard } from '../home/WorkCard.tsx';
import { alertsQuery } from './dashboard/api.ts';

/** Home card: telehealth alerts (readings outside a patient's thresholds, missed readings) to review. */
export default function TelehealthCard() {
  const { data } = useQuery(alertsQuery);
  return (
    <WorkCard title="Telehealth alerts" href="/telehealth/alerts" count={data?.alerts.length} countText="open" urgent>
      Readings outside patients’ thresholds and missed readings, to review and act on.
    </WorkCard>
  );
}
