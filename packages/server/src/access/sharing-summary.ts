import type { Parameters } from '@medplum/fhirtypes';
import type { Database, Queryable } from '../db/database.ts';
import { DATA_CATEGORIES, type Actor } from './actor.ts';
import type { AuditLog } from './audit.ts';
import { forbidden } from './authorize.ts';
import { findCandidates, type Candidate, type RecipientKind } from './sharing-summary.candidates.ts';
import { summaryParameters, type SummaryRecipient } from './sharing-summary.parameters.ts';
import { cellFor, type Cell, type Verdicts } from './sharing-summary.reasons.ts';
import { SharingSummaryRepository, type RecordRow } from './sharing-summary.repository.ts';

const INTERACTION = 'sharing-summary';

export interface SharingSummaryOptions {
  db: Database;
  audit: AuditLog;
}

type VisibleRows = (actor: Candidate['profiles'][number]['actor'], rows: readonly RecordRow[]) => Promise<Set<number>>;

/**
 * "Who can see what" in a patient's record (docs/ACCESS.md, *Who can see what*), for the patient and
 * for a carer who may see the whole record. Every verdict is the access policy's own SQL restriction
 * (policy.ts `restrictionFor`) evaluated on one synthetic row per kind of row the record holds, so the
 * summary cannot say anything the policy does not do; the reasons come from separate, simple probes
 * (sharing-summary.reasons.ts) that never decide what is visible.
 */
export class SharingSummaryService {
  private readonly repository: SharingSummaryRepository;
  private readonly audit: AuditLog;

  constructor(options: SharingSummaryOptions) {
    this.audit = options.audit;
    this.repository = new SharingSummaryRepository(options.db);
  }

  /** The summary as a FHIR Parameters resource; refused callers get a 403 OperationOutcome. Audited. */
  async summary(actor: Actor, patientId: string, query: string): Promise<Parameters> {
    await this.requireReader(actor, patientId, query);
    const result = await this.build(patientId);
    await this.audit.recordEvent(actor, { interaction: INTERACTION, patients: [patientId], decision: 'permit', query });
    return result;
  }

  /**
   * The patient themselves, or a carer acting for them whose own permits cover every category (the
   * summary shows which services care for the patient: a mental health trust, a sexual health clinic).
   * Staff and system clients are refused: they have the record itself. Someone else's id and an
   * unknown id are refused alike, before anything is looked up.
   */
  private async requireReader(actor: Actor, patientId: string, query: string): Promise<void> {
    const refuse = async (message: string): Promise<never> => {
      await this.audit.recordEvent(actor, { interaction: INTERACTION, patients: [patientId], decision: 'deny', query });
      throw forbidden(message);
    };
    switch (actor.kind) {
      case 'patient':
        if (actor.patientId !== patientId) {
          await refuse('You can see who can see a record only for your own record');
        }
        return;
      case 'related-person': {
        if (actor.patientId !== patientId) {
          await refuse('You can see who can see a record only for the person you act for');
        }
        // What the policy lets this carer see, for every category: all of it, or no summary.
        const every = DATA_CATEGORIES.map((category) => ({ source: null, category, resourceType: 'Basic' }));
        if ((await this.repository.visibleRows(actor, patientId, every)).size < every.length) {
          await refuse(
            'Only a carer who may see the whole of the record can see who else can see it: it shows which services care for the person',
          );
        }
        return;
      }
      case 'staff':
      case 'system':
        await refuse('This summary is for the patient and their carers; staff and systems have the record itself');
    }
  }

  private async build(patientId: string): Promise<Parameters> {
    const repo = this.repository;
    const [allRows, relationships, rules, emergency] = await Promise.all([
      repo.recordRows(patientId),
      repo.relationships(patientId),
      repo.rulesInForce(patientId),
      repo.emergencyAccess(patientId),
    ]);
    // The patient's Consents (their choices, not data) are reported apart: "they can also see your choices".
    const rows = allRows.filter((row) => row.resourceType !== 'Consent');
    const consentRows = allRows.filter((row) => row.resourceType === 'Consent');
    const sources = [...new Set(rows.flatMap((row) => (row.source === null ? [] : [row.source])))];
    const grants = await repo.grantsFrom(sources);
    const candidates = await findCandidates(repo, { patientId, sources, relationships, rules, grants });

    const now = await evaluate(candidates, [...rows, ...consentRows], (actor, rs) =>
      repo.visibleRows(actor, patientId, rs),
    );
    const whatIfCandidates = candidates.filter((c) => c.whatIfOrganisation);
    const whatIfOrgs = [...new Set(whatIfCandidates.map((c) => c.whatIfOrganisation!))];
    const whatIf = whatIfOrgs.length
      ? await repo.withWhatIfRelationships(patientId, whatIfOrgs, (tx: Queryable) =>
          evaluate(whatIfCandidates, rows, (actor, rs) => repo.visibleRows(actor, patientId, rs, tx)),
        )
      : new Map<string, Set<number>[]>();

    const names = await this.audit.displayNames([
      ...candidates.flatMap((c) => [c.reference, ...c.organisations.map((o) => `Organization/${o}`)]),
      ...emergency.flatMap((e) => [`Practitioner/${e.practitionerId}`, `Organization/${e.organizationId}`]),
    ]);
    const organisations = await repo.organisations([...new Set(candidates.flatMap((c) => c.organisations))]);
    const categories = DATA_CATEGORIES.filter((category) => rows.some((row) => row.category === category));
    const consentIndexes = consentRows.map((_row, i) => rows.length + i);
    const facts = { rows, rules, grants };

    const recipients: SummaryRecipient[] = candidates
      .map((candidate) => {
        const verdicts: Verdicts = { seen: now.get(candidate.key) ?? [], whatIf: whatIf.get(candidate.key) };
        const cells = new Map(categories.map((c) => [c, cellFor(candidate, c, verdicts, facts)]));
        return {
          candidate,
          cells,
          seesSharingChoices: consentIndexes.some((i) => verdicts.seen.some((visible) => visible.has(i))),
          name:
            names.get(candidate.reference) ?? (candidate.kind === 'carer' ? 'Someone you named' : candidate.reference),
        };
      })
      // An agreement's recipient that cannot see anything, now or if it cared for the patient, is noise.
      .filter(({ candidate, cells }) => !candidate.agreementOnly || [...cells.values()].some(speaksOf))
      .sort(
        (a, b) =>
          order(a.candidate.kind) - order(b.candidate.kind) ||
          visibleCount(b.cells) - visibleCount(a.cells) ||
          a.name.localeCompare(b.name, 'en-GB'),
      );
    return summaryParameters({
      patientId,
      recipients,
      emergency,
      names,
      organisationTypes: new Map([...organisations].map(([id, o]) => [id, o.type])),
    });
  }
}

/** For each candidate, for each of its profiles, the rows the policy lets it see. */
async function evaluate(
  candidates: readonly Candidate[],
  rows: readonly RecordRow[],
  visibleRows: VisibleRows,
): Promise<Map<string, Set<number>[]>> {
  const result = new Map<string, Set<number>[]>();
  for (const candidate of candidates) {
    const seen: Set<number>[] = [];
    for (const profile of candidate.profiles) {
      seen.push(await visibleRows(profile.actor, rows));
    }
    result.set(candidate.key, seen);
  }
  return result;
}

const speaksOf = (cell: Cell): boolean => cell.visible || cell.basis.size > 0;
const order = (kind: RecipientKind): number => ['organisation', 'person', 'carer'].indexOf(kind);
const visibleCount = (cells: Map<string, Cell>): number => [...cells.values()].filter((c) => c.visible).length;
