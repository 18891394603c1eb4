import type { Bundle, Patient } from '@medplum/fhirtypes';
import { ORGANISATION_TYPES, type OrganisationType, type StaffActor } from '../access/actor.ts';
import type { AuthContext } from './context.ts';
import type { RoleProfile, UserRecord } from './store.ts';
import { escapeHtml, page } from './views.ts';

/** The `auth_oidc` model of the patient a member of staff chose for a grant (SMART standalone launch). */
export const GRANT_PATIENT_MODEL = 'GrantPatient';

/** Keep the choice as long as the grant can live (provider.ts `ttl.Grant`). */
const KEEP_SECONDS = 12 * 3600;

export interface PatientChoice {
  id: string;
  name: string;
  birthDate?: string;
  nhsNumber?: string;
}

/**
 * A staff user's standalone launch with `launch/patient` (SMART `context-standalone-patient`):
 * the member of staff picks a patient from those their chosen role may see — found with the access
 * policy applied, as their own searches are — and that patient goes into the grant's tokens and
 * the token response (`patient`). A chosen id is checked again on every post, never trusted.
 */
export class PatientPicker {
  private readonly auth: AuthContext;

  constructor(auth: AuthContext) {
    this.auth = auth;
  }

  /** Whether the picker can run here (the platform lets sign-in search as a caller). */
  get available(): boolean {
    return this.auth.platform.accessFor !== undefined;
  }

  private async service(user: UserRecord, profile: RoleProfile) {
    const accessFor = this.auth.platform.accessFor!;
    const organizationType = await organisationTypeOf(this.auth, profile.organizationId);
    if (!organizationType || !user.fhirUser?.startsWith('Practitioner/')) {
      return undefined;
    }
    const actor: StaffActor = {
      kind: 'staff',
      userId: user.id,
      practitionerId: user.fhirUser.slice('Practitioner/'.length),
      organizationId: profile.organizationId,
      organizationType,
      roleCode: profile.roleCode,
      ...(profile.practitionerRoleId ? { practitionerRoleId: profile.practitionerRoleId } : {}),
      scopes: ['user/Patient.rs'],
    };
    return this.auth.platform.resources.forCaller(accessFor(actor));
  }

  /** Patients the member of staff may see whose name or NHS number matches `query` (at most 20). */
  async search(user: UserRecord, profile: RoleProfile, query: string): Promise<PatientChoice[]> {
    const service = await this.service(user, profile);
    const q = query.trim();
    if (!service || q.length < 2) {
      return [];
    }
    const digits = q.replace(/\s/g, '');
    const params: [string, string][] = /^\d{10}$/.test(digits)
      ? [['identifier', `https://fhir.nhs.uk/Id/nhs-number|${digits}`]]
      : [['name', q]];
    const bundle: Bundle = await service.search('Patient', [...params, ['_count', '20']]);
    return (bundle.entry ?? [])
      .map((e) => e.resource)
      .filter((r): r is Patient => r?.resourceType === 'Patient')
      .map(choice);
  }

  /** The patient, when the member of staff may see them. */
  async find(user: UserRecord, profile: RoleProfile, id: string): Promise<PatientChoice | undefined> {
    const service = await this.service(user, profile);
    if (!service || !/^[A-Za-z0-9.-]{1,64}$/.test(id)) {
      return undefined;
    }
    try {
      const stored = await service.read('Patient', id);
      return choice(JSON.parse(stored.json ?? '{}') as Patient);
    } catch {
      return undefined;
    }
  }

  async remember(grantId: string, patientId: string): Promise<void> {
    await this.auth.platform.db.query(
      `insert into auth_oidc (model, id, payload, grant_id, expires_at)
       values ($1, $2, $3::jsonb, $2, now() + make_interval(secs => $4::integer))
       on conflict (model, id) do update set payload = excluded.payload`,
      [GRANT_PATIENT_MODEL, grantId, JSON.stringify({ patient: patientId }), KEEP_SECONDS],
    );
  }
}

/** The patient chosen for a grant, if any (provider.ts puts it in the tokens). */
export async function grantPatient(auth: Pick<AuthContext, 'platform'>, grantId: string): Promise<string | undefined> {
  const [row] = await auth.platform.db.query<{ patient: string | null }>(
    `select payload->>'patient' as patient from auth_oidc
     where model = $1 and id = $2 and (expires_at is null or expires_at > now())`,
    [GRANT_PATIENT_MODEL, grantId],
  );
  return row?.patient ?? undefined;
}

function choice(patient: Patient): PatientChoice {
  const name = patient.name?.[0];
  const text = name?.text ?? [...(name?.given ?? []), name?.family ?? ''].join(' ').trim();
  const nhs = patient.identifier?.find((i) => i.system === 'https://fhir.nhs.uk/Id/nhs-number')?.value;
  return {
    id: patient.id!,
    name: text || `Patient/${patient.id}`,
    ...(patient.birthDate ? { birthDate: patient.birthDate } : {}),
    ...(nhs ? { nhsNumber: nhs } : {}),
  };
}

async function organisationTypeOf(auth: AuthContext, id: string): Promise<OrganisationType | undefined> {
  try {
    const stored = await auth.platform.resources.read('Organization', id);
    const org = JSON.parse(stored.json ?? '{}') as { type?: { coding?: { code?: string }[] }[] };
    const code = org.type
      ?.flatMap((t) => t.coding ?? [])
      .find((c) => ORGANISATION_TYPES.includes(c.code as OrganisationType))?.code;
    return code as OrganisationType | undefined;
  } catch {
    return undefined;
  }
}

/** The picker page: a search box, then the matching patients as radios. */
export function renderPatientPickerPage(options: {
  uid: string;
  appName: string;
  query: string;
  results: PatientChoice[] | undefined;
  profileId: string;
  error?: string;
}): string {
  const base = `/auth/interaction/${encodeURIComponent(options.uid)}`;
  const results =
    options.results === undefined
      ? ''
      : options.results.length === 0
        ? '<p class="nhsuk-body">No patient you may see matches that. Try a surname or an NHS number.</p>'
        : `<form method="post" action="${base}/patient">
<input type="hidden" name="profile" value="${escapeHtml(options.profileId)}">
<fieldset class="nhsuk-fieldset"><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">Choose the patient</legend>
<div class="nhsuk-radios">
${options.results
  .map(
    (p, i) => `<div class="nhsuk-radios__item">
<input class="nhsuk-radios__input" id="patient-${i}" name="patient" type="radio" value="${escapeHtml(p.id)}"${i === 0 ? ' checked' : ''}>
<label class="nhsuk-label nhsuk-radios__label" for="patient-${i}">${escapeHtml(p.name)} <span class="nhsuk-hint">${[
      p.birthDate ? `born ${escapeHtml(p.birthDate)}` : '',
      p.nhsNumber ? `NHS number ${escapeHtml(p.nhsNumber)}` : '',
    ]
      .filter(Boolean)
      .join(', ')}</span></label>
</div>`,
  )
  .join('\n')}
</div></fieldset>
<button class="nhsuk-button" type="submit">Continue</button>
</form>`;
  return page(
    'Choose a patient',
    `${options.error ? `<div class="nhsuk-error-summary" role="alert"><p class="nhsuk-error-message">${escapeHtml(options.error)}</p></div>` : ''}
<h1 class="nhsuk-heading-l">Which patient is ${escapeHtml(options.appName)} for?</h1>
<p class="nhsuk-body">The app asks to work with one patient's record. Only patients you may see in your current role are listed.</p>
<form method="get" action="${base}/patients">
<input type="hidden" name="profile" value="${escapeHtml(options.profileId)}">
<div class="nhsuk-form-group">
<label class="nhsuk-label" for="q">Name or NHS number</label>
<input class="nhsuk-input" id="q" name="q" type="search" value="${escapeHtml(options.query)}" autocomplete="off">
</div>
<button class="nhsuk-button nhsuk-button--secondary" type="submit">Search</button>
</form>
${results}`,
  );
}
