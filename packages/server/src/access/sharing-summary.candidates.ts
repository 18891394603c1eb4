import { ROLE_CODES } from '../auth/store.ts';
import { staffNames, type OrganisationType, type RelatedPersonActor, type StaffActor } from './actor.ts';
import type {
  CurrentGrant,
  CurrentRelationship,
  RuleInForce,
  SharingSummaryRepository,
} from './sharing-summary.repository.ts';

export type RecipientKind = 'organisation' | 'person' | 'carer';

/** The clinical role the summary evaluates an organisation's staff in, besides the roles agreements name. */
export const REPRESENTATIVE_ROLE = 'R8000';
/** A user, practitioner and organisation id no one has (not a valid FHIR id): matches no row. */
export const NOBODY = '#sharing-summary';

/** One way a recipient signs in: the actor the policy is evaluated for. */
export interface Profile {
  actor: StaffActor | RelatedPersonActor;
  /** The names consent rules may give this actor. */
  names: string[];
  /** Whether the actor (their organisation or they) has a care relationship with the patient now. */
  related: boolean;
}

/** Someone the summary speaks of: an organisation (or its staff in one role), a person, a carer. */
export interface Candidate {
  key: string;
  kind: RecipientKind;
  reference: string;
  /** An organisation's staff in this RBAC job role only (a permit naming `Organization/{id}|{role}`). */
  role?: string;
  organisations: string[];
  /** Every profile is evaluated; a category is visible when any of them sees it. */
  profiles: Profile[];
  relationships: CurrentRelationship[];
  /** Only an agreement's recipient: shown only when it can (or could) see something. */
  agreementOnly: boolean;
  /** The organisation whose hypothetical relationship is evaluated, when it has none now. */
  whatIfOrganisation?: string;
}

export interface CandidateFacts {
  patientId: string;
  /** Organisations whose record the patient's (online-visible) data is. */
  sources: readonly string[];
  relationships: readonly CurrentRelationship[];
  rules: readonly RuleInForce[];
  grants: readonly CurrentGrant[];
}

const after = (prefix: string) => (reference: string) =>
  reference.startsWith(prefix) ? [reference.slice(prefix.length)] : [];

/**
 * Everyone who can or could see something: organisations and people with a care relationship now
 * (not one that only what is kept out of the patient's online view shows), everyone the patient's
 * rules name, the organisations whose record it is, and every organisation an agreement lets
 * receive it (kept by the caller only when it can or could see something).
 */
export async function findCandidates(
  repository: SharingSummaryRepository,
  facts: CandidateFacts,
): Promise<Candidate[]> {
  const { patientId, relationships, grants } = facts;
  const hiddenOrgs = hiddenBy(relationships, (r) => r.organizationId);
  const hiddenPeople = hiddenBy(relationships, (r) => r.practitionerId);
  const shown = relationships.filter((r) => !r.withheld);
  const named = [...new Set(facts.rules.flatMap((rule) => rule.actors))];
  const orgKeys = new Set<string>([
    ...shown.flatMap((r) => (r.organizationId ? [`Organization/${r.organizationId}`] : [])),
    ...facts.sources.map((s) => `Organization/${s}`),
    ...named.filter((n) => n.startsWith('Organization/')),
  ]);
  const agreementOrgs = new Set(grants.map((g) => `Organization/${g.recipient}`).filter((k) => !orgKeys.has(k)));
  const people = [
    ...new Set([
      ...shown.flatMap((r) => (r.practitionerId ? [r.practitionerId] : [])),
      ...named.flatMap(after('Practitioner/')),
    ]),
  ].filter((id) => !hiddenPeople.has(id));
  const carerIds = named.flatMap(after('RelatedPerson/'));

  const staffProfiles = await repository.staffProfiles(people);
  const orgOf = (key: string): string => key.slice('Organization/'.length).split('|')[0]!;
  const types = await repository.organisations([
    ...new Set([...staffProfiles.map((p) => p.organizationId), ...[...orgKeys, ...agreementOrgs].map(orgOf)]),
  ]);
  const orgRelated = (org: string): boolean => relationships.some((r) => r.organizationId === org);
  const staff = (org: string, roleCode: string, practitionerId = NOBODY): Profile[] => {
    const organizationType = types.get(org)?.type as OrganisationType | undefined;
    if (!organizationType) {
      // Staff of an organisation without a CareWeave type cannot sign in (src/auth/authenticate.ts).
      return [];
    }
    const actor: StaffActor = {
      kind: 'staff',
      userId: NOBODY,
      practitionerId,
      organizationId: org,
      organizationType,
      roleCode,
      scopes: [],
    };
    const related = orgRelated(org) || relationships.some((r) => r.practitionerId === practitionerId);
    return [{ actor, names: staffNames(actor), related }];
  };

  const candidates: Candidate[] = [];
  for (const key of [...orgKeys, ...agreementOrgs]) {
    const org = orgOf(key);
    const role = key.split('|')[1];
    if (hiddenOrgs.has(org)) {
      continue;
    }
    // An organisation's staff in the clinical role and in every role an agreement names for it:
    // staff in a role no agreement names see no more than the clinical role (clerical see less).
    // When the patient's rules name one of its roles (a deny for its doctors), every role.
    const roles = role
      ? [role]
      : named.some((n) => n.startsWith(`Organization/${org}|`))
        ? [...ROLE_CODES]
        : [REPRESENTATIVE_ROLE, ...grants.filter((g) => g.recipient === org).flatMap((g) => g.roles)];
    candidates.push({
      key,
      kind: 'organisation',
      reference: `Organization/${org}`,
      ...(role ? { role } : {}),
      organisations: [org],
      profiles: [...new Set(roles)].flatMap((r) => staff(org, r)),
      relationships: shown.filter((r) => r.organizationId === org),
      agreementOnly: agreementOrgs.has(key),
      ...(orgRelated(org) ? {} : { whatIfOrganisation: org }),
    });
  }
  for (const practitionerId of people) {
    const own = staffProfiles.filter((p) => p.practitionerId === practitionerId);
    candidates.push({
      key: `Practitioner/${practitionerId}`,
      kind: 'person',
      reference: `Practitioner/${practitionerId}`,
      organisations: [...new Set(own.map((p) => p.organizationId))],
      // Each (organisation, role) once, whether from a PractitionerRole or a sign-in role profile.
      profiles: [...new Set(own.map((p) => `${p.organizationId}|${p.roleCode ?? REPRESENTATIVE_ROLE}`))].flatMap(
        (key) => {
          const [org, role] = key.split('|') as [string, string];
          return staff(org, role, practitionerId);
        },
      ),
      relationships: shown.filter((r) => r.practitionerId === practitionerId),
      agreementOnly: false,
    });
  }
  const carers = await repository.carersOf(patientId, carerIds);
  for (const relatedPersonId of carerIds) {
    const actor: RelatedPersonActor = {
      kind: 'related-person',
      userId: NOBODY,
      relatedPersonId,
      patientId,
      scopes: [],
    };
    candidates.push({
      key: `RelatedPerson/${relatedPersonId}`,
      kind: 'carer',
      reference: `RelatedPerson/${relatedPersonId}`,
      organisations: [],
      // A RelatedPerson of someone else can never act for this patient.
      profiles: carers.has(relatedPersonId)
        ? [{ actor, names: [`RelatedPerson/${relatedPersonId}`], related: false }]
        : [],
      relationships: [],
      agreementOnly: false,
    });
  }
  return candidates;
}

/** Organisations (or practitioners) whose every relationship now comes from what the online view hides. */
function hiddenBy(
  relationships: readonly CurrentRelationship[],
  id: (r: CurrentRelationship) => string | null,
): Set<string> {
  const open = new Set(relationships.filter((r) => !r.withheld).map(id));
  return new Set(
    relationships
      .filter((r) => r.withheld)
      .map(id)
      .filter((x): x is string => x !== null && !open.has(x)),
  );
}
