import type {
  AllergyIntolerance,
  Appointment,
  CarePlan,
  CareTeam,
  Composition,
  Condition,
  DocumentReference,
  Encounter,
  Flag,
  MedicationRequest,
  Observation,
  Reference,
  Resource,
} from '@medplum/fhirtypes';
import { useMemo } from 'react';
import { organisationName, sourceOrganisationId, type PatientRecord } from '../../../api/record.ts';
import { useSession } from '../../../auth/session.ts';
import { RecordTable, type RecordRow } from '../../../components/RecordTable.tsx';
import { CLERICAL_ROLE } from '../../../components/WithheldNotice.tsx';
import { formatDate, formatDateTime } from '../../../lib/dates.ts';
import {
  conceptText,
  conceptsText,
  displayName,
  resourceDate,
  resourceTime,
  resourceTitle,
} from '../../../lib/fhir-display.ts';
import { observationKey, observationName, observationValue } from '../../../lib/observations.ts';
import { withheldFromOnlineView } from '../../../lib/online-view.ts';
import { ENCOUNTER_CLASS } from '../../../lib/entry-facts.ts';
import { entryPath } from '../../../lib/record-links.ts';

const RECENT_ENCOUNTERS = 10;
const RECENT_APPOINTMENTS = 5;
/** What clerical staff see of a record besides the patient's details (docs/ACCESS.md, role rules). */
const CLERICAL_SECTIONS = new Set(['appointments']);

/** The record summary: one section for each kind of information, newest first, with its source. */
export function Summary({ record }: { record: PatientRecord }) {
  const session = useSession();
  const clerical = session?.kind === 'staff' && session.roleCode === CLERICAL_ROLE;
  const sections = useMemo(
    () => buildSections(record).filter((section) => !clerical || CLERICAL_SECTIONS.has(section.id)),
    [record, clerical],
  );
  return (
    <div className="cw-summary">
      <nav aria-label="Sections of the summary" className="cw-contents">
        <ul className="nhsuk-list cw-contents__list">
          {sections.map((section) => (
            <li key={section.id}>
              <a href={`#${section.id}`} data-external="">
                {section.title} ({section.count})
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {sections.map((section) => (
        <section key={section.id} aria-labelledby={section.id} className="cw-section">
          <h2 className="nhsuk-heading-m" id={section.id}>
            {section.title}
          </h2>
          <RecordTable
            caption={section.title}
            rows={section.rows}
            empty={section.empty}
            dateLabel={section.dateLabel}
          />
        </section>
      ))}
    </div>
  );
}

interface Section {
  id: string;
  title: string;
  rows: RecordRow[];
  count: number;
  empty: string;
  dateLabel?: string;
}

function of<T extends Resource>(record: PatientRecord, type: string): T[] {
  return (record.byType.get(type) ?? []) as T[];
}

function newestFirst<T extends Resource>(resources: T[]): T[] {
  return [...resources].sort((a, b) => resourceTime(b) - resourceTime(a));
}

function row(
  record: PatientRecord,
  resource: Resource,
  title: RecordRow['title'],
  detail?: RecordRow['detail'],
): RecordRow {
  return {
    key: `${resource.resourceType}/${resource.id}`,
    // Each entry opens to its own page (facts, text, what it is linked to); a care team's rows are people.
    title:
      resource.resourceType === 'CareTeam' ? title : <a href={entryPath(record.patient.id ?? '', resource)}>{title}</a>,
    detail,
    date: formatDate(resourceDate(resource)),
    source: organisationName(sourceOrganisationId(resource, record)),
    withheldOnline: withheldFromOnlineView(resource),
  };
}

function nameOf(record: PatientRecord, reference: Reference | undefined): string {
  if (!reference) {
    return 'Unknown';
  }
  const target = reference.reference
    ? record.referenced.get(reference.reference.split('/').slice(-2).join('/'))
    : undefined;
  if (target && 'name' in target) {
    const name = (target as { name?: unknown }).name;
    return typeof name === 'string' ? name : Array.isArray(name) ? displayName(name) : (reference.display ?? 'Unknown');
  }
  return reference.display ?? reference.reference ?? 'Unknown';
}

function buildSections(record: PatientRecord): Section[] {
  const conditions = newestFirst(of<Condition>(record, 'Condition'));
  const active = conditions.filter(
    (c) =>
      !c.clinicalStatus ||
      c.clinicalStatus.coding?.some((x) => x.code === 'active' || x.code === 'recurrence' || x.code === 'relapse'),
  );
  const past = conditions.filter((c) => !active.includes(c));

  const requests = of<MedicationRequest>(record, 'MedicationRequest');
  const issues = new Map<string, MedicationRequest[]>();
  for (const request of requests) {
    for (const based of request.basedOn ?? []) {
      const key = based.reference?.split('/').pop() ?? '';
      issues.set(key, [...(issues.get(key) ?? []), request]);
    }
  }
  const isRepeat = (m: MedicationRequest) =>
    m.courseOfTherapyType?.coding?.some((c) => c.code === 'continuous') && m.intent === 'order' && !m.basedOn?.length;
  const repeats = newestFirst(requests.filter((m) => isRepeat(m) && m.status === 'active'));
  const yearAgo = Date.now() - 365 * 86_400_000;
  const acute = newestFirst(
    requests.filter((m) => !isRepeat(m) && m.intent === 'order' && !m.basedOn?.length && resourceTime(m) >= yearAgo),
  );
  const medicationRows = [
    ...repeats.map((m) =>
      row(
        record,
        m,
        resourceTitle(m),
        <>
          <strong className="nhsuk-tag nhsuk-tag--blue cw-tag-s">Repeat</strong> {m.dosageInstruction?.[0]?.text ?? ''}
          {lastIssued(m, issues)}
        </>,
      ),
    ),
    ...acute.map((m) =>
      row(
        record,
        m,
        resourceTitle(m),
        <>
          {`Short course, ${m.status}. `}
          {m.dosageInstruction?.[0]?.text ?? ''}
        </>,
      ),
    ),
  ];

  const allergies = newestFirst(of<AllergyIntolerance>(record, 'AllergyIntolerance'));
  const alerts = newestFirst(of<Flag>(record, 'Flag')).filter(
    (flag) => flag.status === 'active' && (!flag.period?.end || Date.parse(flag.period.end) > Date.now()),
  );
  const appointments = appointmentsToShow(of<Appointment>(record, 'Appointment'));
  const encounters = newestFirst(of<Encounter>(record, 'Encounter')).slice(0, RECENT_ENCOUNTERS);
  const careTeams = of<CareTeam>(record, 'CareTeam').filter(
    (t) => t.status !== 'inactive' && t.status !== 'entered-in-error',
  );
  const carePlans = newestFirst(of<CarePlan>(record, 'CarePlan')).filter((p) => p.status !== 'entered-in-error');
  const documents = newestFirst([
    ...of<DocumentReference>(record, 'DocumentReference'),
    ...of<Composition>(record, 'Composition'),
  ]);

  const latest = new Map<string, Observation>();
  for (const observation of of<Observation>(record, 'Observation')) {
    if (observation.status === 'entered-in-error' || observation.status === 'cancelled') {
      continue;
    }
    const key = observationKey(observation);
    const seen = latest.get(key);
    if (!seen || resourceTime(observation) > resourceTime(seen)) {
      latest.set(key, observation);
    }
  }
  const observations = [...latest.values()].sort((a, b) => observationName(a).localeCompare(observationName(b)));

  return [
    {
      id: 'alerts',
      title: 'Alerts',
      rows: alerts.map((f) => row(record, f, resourceTitle(f), conceptsText(f.category) || undefined)),
      count: alerts.length,
      empty: 'No alerts recorded.',
      dateLabel: 'Since',
    },
    {
      id: 'problems',
      title: 'Problems',
      rows: [
        ...active.map((c) => row(record, c, resourceTitle(c), 'Active')),
        ...past.map((c) => row(record, c, resourceTitle(c), conceptText(c.clinicalStatus))),
      ],
      count: conditions.length,
      empty: 'No problems recorded.',
      dateLabel: 'Since',
    },
    {
      id: 'medications',
      title: 'Medications',
      rows: medicationRows,
      count: medicationRows.length,
      empty: 'No current medication recorded.',
    },
    {
      id: 'allergies',
      title: 'Allergies and adverse reactions',
      rows: allergies.map((a) =>
        row(
          record,
          a,
          resourceTitle(a),
          a.reaction?.length
            ? `Reaction: ${a.reaction.map((r) => conceptsText(r.manifestation)).join('; ')}`
            : undefined,
        ),
      ),
      count: allergies.length,
      // "No known allergies" is a clinical statement: only a coded one says it (H-187).
      empty: 'No allergies recorded.',
    },
    {
      id: 'appointments',
      title: 'Appointments',
      rows: appointments.map((a) => ({
        ...row(record, a, resourceTitle(a), APPOINTMENT_STATUS[a.status] ?? a.status),
        date: formatDateTime(a.start),
      })),
      count: appointments.length,
      empty: 'No appointments recorded.',
    },
    {
      id: 'encounters',
      title: 'Recent encounters',
      rows: encounters.map((e) =>
        row(record, e, resourceTitle(e), e.status === 'in-progress' ? 'In progress now' : encounterClass(e)),
      ),
      count: encounters.length,
      empty: 'No encounters recorded.',
    },
    {
      id: 'care-team',
      title: 'Care team',
      rows: careTeams.flatMap((team) =>
        (team.participant ?? []).map((p, i) => ({
          ...row(record, team, nameOf(record, p.member), [team.name, conceptsText(p.role)].filter(Boolean).join(' · ')),
          key: `CareTeam/${team.id}/${i}`,
        })),
      ),
      count: careTeams.length,
      empty: 'No care team recorded.',
    },
    {
      id: 'care-plans',
      title: 'Care plans',
      rows: carePlans.map((p) => row(record, p, resourceTitle(p), p.description ?? p.status)),
      count: carePlans.length,
      empty: 'No care plans recorded.',
    },
    {
      id: 'observations',
      title: 'Latest observations',
      rows: observations.map((o) => row(record, o, observationName(o), observationValue(o))),
      count: observations.length,
      empty: 'No observations recorded.',
    },
    {
      id: 'documents',
      title: 'Documents',
      rows: documents.map((d) =>
        row(
          record,
          d,
          resourceTitle(d),
          d.resourceType === 'DocumentReference' ? conceptText(d.type) : conceptText(d.type),
        ),
      ),
      count: documents.length,
      empty: 'No documents shared.',
    },
  ];
}

const APPOINTMENT_STATUS: Partial<Record<Appointment['status'], string>> = {
  proposed: 'Proposed',
  pending: 'Waiting to be confirmed',
  booked: 'Booked',
  arrived: 'Arrived',
  fulfilled: 'Attended',
  cancelled: 'Cancelled',
  noshow: 'Did not attend',
  'checked-in': 'Checked in',
  waitlist: 'On the waiting list',
};

/** Upcoming appointments, soonest first, then the most recent past ones. */
function appointmentsToShow(appointments: Appointment[]): Appointment[] {
  const now = Date.now();
  const upcoming = appointments
    .filter((a) => resourceTime(a) >= now && a.status !== 'entered-in-error')
    .sort((a, b) => resourceTime(a) - resourceTime(b));
  const past = newestFirst(appointments.filter((a) => resourceTime(a) < now && a.status !== 'entered-in-error'));
  return [...upcoming, ...past.slice(0, RECENT_APPOINTMENTS)];
}

function encounterClass(encounter: Encounter): string {
  // Our words first: HL7's displays ("ambulatory", "inpatient encounter") are not how clinicians speak.
  return ENCOUNTER_CLASS[encounter.class.code ?? ''] ?? encounter.class.display ?? encounter.class.code ?? '';
}

function lastIssued(repeat: MedicationRequest, issues: Map<string, MedicationRequest[]>): string {
  const proposals = issues.get(repeat.id!) ?? [];
  const pending = proposals.find((p) => p.intent === 'proposal' && p.status === 'active');
  if (pending) {
    return ` · Patient ordered on ${formatDate(pending.authoredOn)}: waiting for the practice`;
  }
  return '';
}
