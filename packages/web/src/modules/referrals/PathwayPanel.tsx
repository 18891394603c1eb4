import { formatDate } from '../../lib/dates.ts';
import type { Pathway } from './api.ts';
import { PATHWAY_SECTIONS } from './vocabulary.ts';

/**
 * A local pathway at the point of referral (docs/REFERRALS.md, "Pathways"): the commissioner's
 * criteria, tests to do first, when advice and guidance fits better, and the red flags that make it a
 * two-week wait (H-201: only approved versions are served, so who approved it and when is always shown).
 */
export function PathwayPanel({ pathway, headingLevel = 2 }: { pathway: Pathway; headingLevel?: 2 | 3 }) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  const Sub = headingLevel === 2 ? 'h3' : 'h4';
  const approvers = [...pathway.endorsedBy, ...pathway.reviewedBy];
  return (
    <section className="nhsuk-card" aria-labelledby={`pathway-${pathway.id}`}>
      <div className="nhsuk-card__content">
        <Heading className="nhsuk-heading-m" id={`pathway-${pathway.id}`}>
          Local pathway: {pathway.title}
        </Heading>
        <p className="nhsuk-body-s">
          Version {pathway.version}
          {pathway.condition ? ` · ${pathway.condition}` : ''}
          {pathway.publisher ? ` · ${pathway.publisher}` : ''}
          <br />
          Approved {formatDate(pathway.approvalDate)}
          {approvers.length ? ` by ${approvers.join(', ')}` : ''}
          {pathway.lastReviewDate ? ` · last reviewed ${formatDate(pathway.lastReviewDate)}` : ''}
        </p>
        {PATHWAY_SECTIONS.map((section) =>
          pathway.sections[section.key]?.length ? (
            <div
              key={section.key}
              className={section.key === 'red-flag' ? 'nhsuk-warning-callout' : undefined}
              data-section={section.key}
            >
              <Sub className={section.key === 'red-flag' ? 'nhsuk-warning-callout__label' : 'nhsuk-heading-s'}>
                {section.key === 'red-flag' && <span className="nhsuk-u-visually-hidden">Important: </span>}
                {section.title}
              </Sub>
              <ul className="nhsuk-list nhsuk-list--bullet">
                {pathway.sections[section.key].map((item) => (
                  <li key={item.title}>
                    <strong>{item.title}</strong>
                    {item.text ? `: ${item.text}` : ''}
                  </li>
                ))}
              </ul>
            </div>
          ) : null,
        )}
      </div>
    </section>
  );
}
