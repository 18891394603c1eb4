import type { PlanDefinition } from '@medplum/fhirtypes';
import type { ResourceService } from '../../fhir/store/resource.service.ts';
import type { Protocol } from './model.ts';
import { planDefinitionId, PROTOCOL_EXTENSION, toPlanDefinition } from './plan-definition.ts';

/**
 * Publishes each protocol version as its PlanDefinition in the record, writing only what is new or
 * changed (so a restart adds no versions). Several instances starting together write the same content.
 */
export async function publishProtocols(system: ResourceService, protocols: readonly Protocol[]): Promise<number> {
  let written = 0;
  for (const protocol of protocols) {
    const plan = toPlanDefinition(protocol);
    const current = await currentPlan(system, planDefinitionId(protocol));
    if (extensionOf(current) === extensionOf(plan)) {
      continue;
    }
    await system.update('PlanDefinition', plan.id!, plan);
    written++;
  }
  return written;
}

async function currentPlan(system: ResourceService, id: string): Promise<PlanDefinition | undefined> {
  const bundle = await system.search('PlanDefinition', [['_id', id]]);
  return bundle.entry?.[0]?.resource as PlanDefinition | undefined;
}

function extensionOf(plan: PlanDefinition | undefined): string | undefined {
  return plan?.extension?.find((e) => e.url === PROTOCOL_EXTENSION)?.valueString;
}
