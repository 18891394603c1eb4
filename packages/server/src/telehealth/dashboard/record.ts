/**
 * What the dashboard reads from the record, always through the ResourceService it is given — the
 * caller's own view (`context.recordAs(staff)`), so the access policy decides what comes back and
 * every read is audited as theirs. A resource the caller may not see is simply not returned: hidden
 * and absent look the same.
 */
import type { Bundle, CarePlan, Communication, Flag, Observation, Patient, Resource, Task } from '@medplum/fhirtypes';
import type { ResourceService } from '../../fhir/store/resource.service.ts';

export const TASK_CODE_SYSTEM = 'https://careweave.example/fhir/CodeSystem/task-code';
export const ALERT_CODE = `${TASK_CODE_SYSTEM}|telehealth-alert`;
export const COMMUNICATION_CATEGORY = 'https://careweave.example/fhir/CodeSystem/communication-category';
export const SMS_CATEGORY = `${COMMUNICATION_CATEGORY}|telehealth-sms`;
export const NHS_NUMBER = 'https://fhir.nhs.uk/Id/nhs-number';
/** Searches ask for at most this many ids at once (the query stays a reasonable size). */
const CHUNK = 100;

/** The resources of a search Bundle (not its OperationOutcome entries). */
export function resourcesOf<T extends Resource>(bundle: Bundle): T[] {
  return (bundle.entry ?? []).flatMap((entry) =>
    entry.resource && entry.search?.mode !== 'outcome' ? [entry.resource as T] : [],
  );
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) {
    out.push(items.slice(i, i + CHUNK));
  }
  return out;
}

/** The resources of `type` with these ids that the caller may see. */
export async function visibleByIds<T extends Resource>(
  record: ResourceService,
  type: T['resourceType'],
  ids: readonly string[],
): Promise<T[]> {
  const found: T[] = [];
  for (const part of chunks([...new Set(ids)])) {
    const bundle = await record.search(type, [
      ['_id', part.join(',')],
      ['_count', String(part.length)],
    ]);
    found.push(...resourcesOf<T>(bundle));
  }
  return found;
}

/** A patient's name and NHS number, as lists show them. */
export interface PatientSummary {
  reference: string;
  name: string;
  nhsNumber?: string;
}

/** A patient as lists show them: official name, NHS number. */
export function patientSummary(patient: Patient): PatientSummary {
  const name = patient.name?.find((n) => n.use === 'official') ?? patient.name?.[0];
  const nhsNumber = patient.identifier?.find((i) => i.system === NHS_NUMBER)?.value;
  return {
    reference: `Patient/${patient.id!}`,
    name: name
      ? [name.given?.join(' '), name.family].filter(Boolean).join(' ') || (name.text ?? '')
      : 'Unnamed patient',
    ...(nhsNumber ? { nhsNumber } : {}),
  };
}

/**
 * The newest readings of a plan: those of its latest reply (a reply can hold several, oxygen and
 * pulse), empty when there is none the caller may see.
 */
export async function latestObservations(record: ResourceService, carePlanId: string): Promise<Observation[]> {
  const bundle = await record.search('Observation', [
    ['based-on', `CarePlan/${carePlanId}`],
    ['_sort', '-date'],
    ['_count', '10'],
  ]);
  const newest = resourcesOf<Observation>(bundle);
  const at = newest[0]?.effectiveDateTime;
  return newest.filter((observation) => observation.effectiveDateTime === at);
}

/** A plan's readings since `since`, oldest first. */
export async function observationsSince(
  record: ResourceService,
  carePlanIds: readonly string[],
  since: Date,
): Promise<Observation[]> {
  if (!carePlanIds.length) {
    return [];
  }
  const bundle = await record.search('Observation', [
    ['based-on', carePlanIds.map((id) => `CarePlan/${id}`).join(',')],
    ['date', `ge${since.toISOString()}`],
    ['_sort', 'date'],
    ['_count', '1000'],
  ]);
  return resourcesOf<Observation>(bundle);
}

/** The telehealth text messages of some plans (both ways), newest first. */
export async function messagesOf(record: ResourceService, carePlanIds: readonly string[]): Promise<Communication[]> {
  if (!carePlanIds.length) {
    return [];
  }
  const bundle = await record.search('Communication', [
    ['based-on', carePlanIds.map((id) => `CarePlan/${id}`).join(',')],
    ['category', SMS_CATEGORY],
    ['_sort', '-_lastUpdated'],
    ['_count', '1000'],
  ]);
  // Newest first; a text and the answer written with it share a time, and the answer came after it.
  return resourcesOf<Communication>(bundle).sort(
    (a, b) => messageTime(b).localeCompare(messageTime(a)) || Number(isInbound(a)) - Number(isInbound(b)),
  );
}

/** When a message was sent (outbound) or received (inbound). */
export function messageTime(message: Communication): string {
  return message.received ?? message.sent ?? '';
}

/** Whether a text came from the patient. */
export function isInbound(message: Communication): boolean {
  return message.sender?.reference?.startsWith('Patient/') === true;
}

/** Telehealth alert Tasks the caller may see: open ones by default, newest first. */
export async function alertTasks(
  record: ResourceService,
  filter: { patient?: string; open?: boolean } = {},
): Promise<Task[]> {
  const bundle = await record.search('Task', [
    ['code', ALERT_CODE],
    ...(filter.open === false ? [] : [['status', 'requested,received,accepted,in-progress'] as [string, string]]),
    ...(filter.patient ? [['patient', filter.patient] as [string, string]] : []),
    ['_sort', '-authored-on'],
    ['_count', '500'],
  ]);
  return resourcesOf<Task>(bundle);
}

/** Whether a Task is a telehealth alert (anything else is not this module's to act on). */
export function isAlertTask(task: Task): boolean {
  return task.code?.coding?.some((c) => c.system === TASK_CODE_SYSTEM && c.code === 'telehealth-alert') === true;
}

/** The telehealth CarePlans of a patient that the caller may see. */
export async function plansOfPatient(record: ResourceService, patient: string): Promise<CarePlan[]> {
  const bundle = await record.search('CarePlan', [
    ['subject', patient],
    ['_count', '100'],
  ]);
  return resourcesOf<CarePlan>(bundle);
}

/**
 * The active Flag an alert Task was raised with. The service writes them together with the same
 * text (Flag.code.text = Task.description) and the Task's focus is the Flag only when there was no
 * reading, so the Flag is found by focus, else by patient and text (the one nearest in time).
 */
export async function flagOfAlert(record: ResourceService, task: Task): Promise<Flag | undefined> {
  const focus = task.focus?.reference;
  if (focus?.startsWith('Flag/')) {
    const flags = await visibleByIds<Flag>(record, 'Flag', [focus.slice(5)]);
    return flags.find((flag) => flag.status === 'active');
  }
  const patient = task.for?.reference;
  if (!patient || !task.description) {
    return undefined;
  }
  // R4 Flag has no status search parameter: active ones are picked below.
  const bundle = await record.search('Flag', [
    ['patient', patient],
    ['_count', '500'],
  ]);
  const authored = Date.parse(task.authoredOn ?? '') || 0;
  const distance = (flag: Flag): number => Math.abs((Date.parse(flag.period?.start ?? '') || 0) - authored);
  return resourcesOf<Flag>(bundle)
    .filter((flag) => flag.status === 'active' && flag.code.text === task.description)
    .sort((a, b) => distance(a) - distance(b))[0];
}
