import type { CarePlan, Patient } from '@medplum/fhirtypes';
import { ResourceService } from '../../fhir/store/resource.service.ts';
import type { WriteCheck } from '../../fhir/store/write-checks.ts';
import type { ProtocolRegistry } from '../protocols/registry.ts';
import { mobileOf } from '../../gateways/sms/index.ts';
import type { Queryable } from '../../db/database.ts';
import { isTelehealthPlan, protocolNamed, readEnrolment, type EnrolmentRequest } from './careplan.ts';

/**
 * A telehealth CarePlan that would enrol a patient (active or on hold) is checked when it is written,
 * however it is written: the protocol version exists, the subject is a patient with a UK mobile in
 * their record, their agreement is recorded, their thresholds are valid rules and what the protocol
 * needs (an asthma patient's best peak flow) is there. So the API refuses, with the reasons, exactly
 * what the enrolment page would not let a nurse send (hazard H-131). Plans that stop an enrolment are
 * never refused: stopping must always be possible.
 */
export function enrolmentCheck(system: ResourceService, protocols: ProtocolRegistry): WriteCheck {
  return {
    name: 'telehealth: an enrolment CarePlan',
    types: ['CarePlan'],
    check: async (tx, resource) => {
      const plan = resource as CarePlan;
      if (!isTelehealthPlan(plan) || (plan.status !== 'active' && plan.status !== 'on-hold')) {
        return [];
      }
      const record = new ResourceService(tx, system.options, undefined, true);
      const named = protocolNamed(plan);
      const found = named ? await protocols.find(record, named.id, named.version) : undefined;
      const read = readEnrolment(plan, (id, version) =>
        found?.id === id && found.version === version ? found : undefined,
      );
      const problems = [...read.problems];
      if (read.request && !(await hasMobile(record, read.request.patientId))) {
        problems.push(
          'The patient has no UK mobile number in their record (Patient.telecom): add one before enrolling',
        );
      }
      if (read.request && (await enrolledElsewhere(tx, read.request))) {
        problems.push(
          `The patient is already enrolled on the ${read.protocol?.title ?? read.request.protocolId} protocol ` +
            'by another plan: change or stop that plan instead',
        );
      }
      return problems;
    },
  };
}

/** Another live plan on the same protocol for the patient: two would text them twice. */
async function enrolledElsewhere(tx: Queryable, request: EnrolmentRequest): Promise<boolean> {
  const rows = await tx.query(
    `select 1 from telehealth_enrolment where patient_id = $1 and protocol_id = $2 and care_plan_id <> $3
        and status in ('active', 'paused') limit 1`,
    [request.patientId, request.protocolId, request.carePlanId],
  );
  return rows.length > 0;
}

async function hasMobile(record: ResourceService, patientId: string): Promise<boolean> {
  try {
    const stored = await record.read('Patient', patientId);
    return mobileOf((JSON.parse(stored.json ?? '{}') as Patient).telecom) !== undefined;
  } catch {
    return false;
  }
}
