import { WorkCard } from '../home/WorkCard.tsx';

/** Home card for commissioners: each practice's electronic-referral share and the outliers. */
export default function ReferralAnalyticsCard() {
  return (
    <WorkCard title="Referral analytics" href="/referral-analytics">
      Each practice’s electronic-referral share against the 80% and 100% targets, referral rates and the outliers.
    </WorkCard>
  );
}
