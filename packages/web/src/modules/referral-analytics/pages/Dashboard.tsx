import { useMutation, useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { ErrorMessage, Loading } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { csvPath, dashboardQuery, downloadCsv, parseFilter, type Dashboard as Figures } from '../api.ts';
import { ElectronicTrend } from '../ElectronicTrend.tsx';
import { Filters } from '../Filters.tsx';
import { FunnelPlot } from '../FunnelPlot.tsx';
import { monthText, percent, SPECIALTY_WORDS } from '../format.ts';
import { PracticeTable, ReasonTable, SpecialtyTable } from '../Tables.tsx';

const PATH = '/referral-analytics';

/**
 * Referral analytics (docs/REFERRALS.md, "Analytics"): the electronic share against the targets,
 * practices on funnel plots against the area, rates by specialty, decisions and their reasons. The
 * server decides the view — every practice for a commissioner, small numbers suppressed; its own
 * practice and the area for a GP practice; a refusal for anyone else.
 */
export default function Dashboard() {
  const [params] = useSearchParams();
  const filter = parseFilter(params);
  const figures = useQuery(dashboardQuery(filter));
  return (
    <>
      <PageTitle caption="Electronic referrals">Referral analytics</PageTitle>
      {figures.isPending && <Loading what="the referral figures" />}
      {figures.error && <ErrorMessage error={figures.error} title="The referral figures could not be shown" />}
      {figures.data && <Content dashboard={figures.data} filter={filter} />}
    </>
  );
}

function Summary({ dashboard }: { dashboard: Figures }) {
  const below = dashboard.practices.filter((p) => p.belowTarget);
  const outliers = dashboard.practices.filter(
    (p) => p.flags.referralRate === 'high-alarm' || p.flags.referralRate === 'low-alarm',
  );
  const own = dashboard.view === 'practice' ? dashboard.practices[0] : undefined;
  return (
    <div className="nhsuk-inset-text" role="status">
      <span className="nhsuk-u-visually-hidden">Summary: </span>
      <p>
        Area: {percent(dashboard.area.electronicShare)} of referrals made electronically (
        {monthText(dashboard.period.from)} to {monthText(dashboard.period.to)}
        {dashboard.specialty ? `, ${SPECIALTY_WORDS(dashboard.specialty)}` : ''}).
      </p>
      {own ? (
        <p>
          {own.name}: {percent(own.electronicShare)} electronic{own.belowTarget ? ', below the 80% target' : ''}.
        </p>
      ) : (
        <p>
          {below.length} of {dashboard.practices.length} practices below the 80% target
          {below.length ? `: ${below.map((p) => p.name).join(', ')}` : ''}. {outliers.length} outside the 99.8% limits
          on referral rate{outliers.length ? `: ${outliers.map((p) => p.name).join(', ')}` : ''}.
        </p>
      )}
    </div>
  );
}

function Content({ dashboard, filter }: { dashboard: Figures; filter: ReturnType<typeof parseFilter> }) {
  const download = useMutation({
    mutationFn: async () => {
      const { blob, fileName } = await downloadCsv(csvPath(filter));
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });
  return (
    <>
      <p className="nhsuk-body">
        {dashboard.view === 'commissioner'
          ? "Every practice's referrals against the area. "
          : `${dashboard.practice?.name ?? 'Your practice'} against the area. `}
        {dashboard.suppression}
      </p>
      <Filters
        filter={filter}
        path={PATH}
        {...(dashboard.view === 'commissioner' ? { practices: dashboard.practices } : {})}
      />
      <Summary dashboard={dashboard} />
      <ElectronicTrend dashboard={dashboard} />
      <h2 className="nhsuk-heading-m">Practices compared with the area</h2>
      <p className="nhsuk-body">
        Each dot is a practice. The funnel shows how far a practice of that size could sit from the area by chance
        alone; referral rates are standardised for each practice&apos;s age and sex mix.
      </p>
      {dashboard.funnels.map((funnel) => (
        <FunnelPlot key={funnel.measure} funnel={funnel} />
      ))}
      <h2 className="nhsuk-heading-m">Measures by practice</h2>
      <PracticeTable dashboard={dashboard} />
      <h2 className="nhsuk-heading-m">Referral rates by specialty</h2>
      <SpecialtyTable dashboard={dashboard} />
      <h2 className="nhsuk-heading-m">Why referrals were rejected or returned</h2>
      <ReasonTable dashboard={dashboard} />
      <p className="nhsuk-body">
        <a
          className="nhsuk-link"
          href={csvPath(filter)}
          download
          aria-busy={download.isPending}
          onClick={(event) => {
            event.preventDefault();
            download.mutate();
          }}
        >
          {download.isPending ? 'Preparing the CSV…' : 'Download the practice table (CSV)'}
        </a>
      </p>
      {download.error && <ErrorMessage error={download.error} title="The CSV could not be downloaded" />}
    </>
  );
}
