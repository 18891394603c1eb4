/**
 * Every protocol version CareWeave can run: the library shipped with this release, and every version
 * published in the record as a PlanDefinition (earlier library versions, and versions written by a
 * clinical author). A patient stays on the version they were enrolled on, so an old version must stay
 * readable after a release ships a new one: it is read back from its PlanDefinition. A published
 * version is never changed (a change is a new version), so what a patient is asked never shifts
 * under them.
 */
import type { PlanDefinition } from '@medplum/fhirtypes';
import type { ResourceService } from '../../fhir/store/resource.service.ts';
import { PROTOCOL_LIBRARY } from './library/index.ts';
import type { Protocol } from './model.ts';
import { fromPlanDefinition, LIBRARY_PUBLISHER, planDefinitionId, PROTOCOL_EXTENSION } from './plan-definition.ts';

/** A protocol as listed: its latest version, where it comes from, and the versions there are. */
export interface ListedProtocol {
  protocol: Protocol;
  source: 'library' | 'local';
  versions: number[];
}

/**
 * Each lookup reads through `record`: the unrestricted record (protocols are directory data, not
 * anyone's health record), in the caller's transaction when it has one.
 */
export class ProtocolRegistry {
  /** One version: the shipped library's, else its published PlanDefinition; undefined when neither. */
  async find(record: ResourceService, id: string, version: number): Promise<Protocol | undefined> {
    const shipped = PROTOCOL_LIBRARY.find((p) => p.id === id && p.version === version);
    if (shipped) {
      return shipped;
    }
    const bundle = await record.search('PlanDefinition', [['_id', planDefinitionId({ id, version })]]);
    const plan = bundle.entry?.[0]?.resource as PlanDefinition | undefined;
    return plan ? readable(plan) : undefined;
  }

  /** Like `find`, for a version an enrolment is on: its absence is a fault, not a choice. */
  async get(record: ResourceService, id: string, version: number): Promise<Protocol> {
    const protocol = await this.find(record, id, version);
    if (!protocol) {
      throw new Error(`Telehealth protocol ${id} v${version} is neither in the library nor in the record`);
    }
    return protocol;
  }

  /** Each protocol's latest version (library and published alike), by title. */
  async list(record: ResourceService): Promise<ListedProtocol[]> {
    const versions = new Map<string, Map<number, { protocol: Protocol; local: boolean }>>();
    const add = (protocol: Protocol, local: boolean): void => {
      const known = versions.get(protocol.id) ?? new Map<number, { protocol: Protocol; local: boolean }>();
      if (!known.has(protocol.version)) {
        known.set(protocol.version, { protocol, local });
      }
      versions.set(protocol.id, known);
    };
    PROTOCOL_LIBRARY.forEach((protocol) => add(protocol, false));
    for (const plan of await published(record)) {
      const protocol = readable(plan);
      if (protocol) {
        // Earlier library versions were published by CareWeave; an author's carry their organisation.
        add(protocol, plan.publisher !== LIBRARY_PUBLISHER);
      }
    }
    return [...versions.values()]
      .map((known) => {
        const numbers = [...known.keys()].sort((a, b) => a - b);
        const latest = known.get(numbers.at(-1)!)!;
        return { protocol: latest.protocol, source: latest.local ? 'local' : 'library', versions: numbers } as const;
      })
      .sort((a, b) => a.protocol.title.localeCompare(b.protocol.title));
  }

  /** The latest version of one protocol, or undefined. */
  async latest(record: ResourceService, id: string): Promise<ListedProtocol | undefined> {
    return (await this.list(record)).find((listed) => listed.protocol.id === id);
  }
}

async function published(record: ResourceService): Promise<PlanDefinition[]> {
  const plans: PlanDefinition[] = [];
  const bundle = await record.search('PlanDefinition', [
    ['type', 'clinical-protocol'],
    ['_count', '1000'],
  ]);
  for (const entry of bundle.entry ?? []) {
    const plan = entry.resource as PlanDefinition;
    if (plan.extension?.some((e) => e.url === PROTOCOL_EXTENSION)) {
      plans.push(plan);
    }
  }
  return plans;
}

/** The protocol of a published PlanDefinition, or undefined when it no longer reads as one. */
function readable(plan: PlanDefinition): Protocol | undefined {
  try {
    return fromPlanDefinition(plan);
  } catch {
    return undefined;
  }
}
