import type { Resource, Subscription } from '@medplum/fhirtypes';
import type { Actor } from '../../access/actor.ts';
import type { AccessModule } from '../../access/index.ts';
import type { SubscriptionConfig } from '../../config/config.ts';
import type { Database } from '../../db/database.ts';
import type { RunningJob } from '../../jobs/queue.ts';
import { isOperationOutcomeError } from '../outcome.ts';
import type { ResourceService } from '../store/resource.service.ts';
import type { Delivery } from './dispatch.ts';
import { findDeletedAsOwner } from './deleted.ts';
import { findAsOwner } from './evaluate.ts';
import { PingRepository } from './pings.ts';
import { notificationBundle } from './notification.ts';
import { SubscriptionRepository } from './repository.ts';
import { checkEndpoint, DeliveryFailed, EndpointRefused, postToEndpoint } from './endpoint-request.ts';
import { resourceToXml } from '../xml/to-xml.ts';
import { endpointProblem, FHIR_JSON_PAYLOAD, FHIR_XML_PAYLOAD, FULL_PAYLOADS, parseHeaders } from './validate.ts';

export interface DelivererOptions {
  db: Database;
  /** Unrestricted, with the store hooks: reads the Subscription and records its status. */
  resources: ResourceService;
  access: AccessModule;
  fhirBase: string;
  settings: SubscriptionConfig;
}

/**
 * Sends one notification. The search is repeated as the owner, audited, immediately before the
 * POST, so what is sent is what the owner may see at that moment (access withdrawn since the write
 * is honoured; each attempt that sends data is in the audit trail). A failure is thrown for the
 * queue to retry with backoff; after the last attempt the Subscription's status becomes `error`,
 * and a later success sets it back to `active`.
 */
export class Deliverer {
  private readonly options: DelivererOptions;

  constructor(options: DelivererOptions) {
    this.options = options;
  }

  async run(job: RunningJob<Delivery>): Promise<void> {
    const { subscriptionId } = job.data;
    const row = await new SubscriptionRepository(this.options.db).find(subscriptionId);
    const subscription = row?.owner && !row.deleted ? await this.current(subscriptionId) : undefined;
    if (!row?.owner || !subscription || (subscription.status !== 'active' && subscription.status !== 'error')) {
      return; // deleted, turned off or never owned since the event: nothing to send
    }
    if (subscription.channel.type === 'websocket') {
      // Best effort, as R4 defines the channel: a ping for a socket bound nowhere is not kept for later.
      if (await this.visibleToOwner(job.data, row.owner, subscription.criteria)) {
        await new PingRepository(this.options.db).send(subscriptionId);
      }
      return;
    }
    const problem = endpointProblem(subscription.channel.endpoint, this.options.settings);
    if (problem) {
      // The server's rules changed since it was accepted: retrying cannot help.
      await this.setStatus(subscriptionId, 'error', problem.message);
      return;
    }
    try {
      await this.send(job, row.owner, subscription);
    } catch (error) {
      if (error instanceof EndpointRefused) {
        // Its host now resolves into the server's own networks: nothing was sent, retrying cannot help.
        await this.setStatus(subscriptionId, 'error', `${error.message} (${new Date().toISOString()})`);
        return;
      }
      if (job.lastAttempt && !job.signal.aborted) {
        const reason = error instanceof DeliveryFailed ? error.message : 'the notification could not be sent';
        await this.setStatus(subscriptionId, 'error', `${reason} (${new Date().toISOString()})`);
      }
      throw error;
    }
    if (subscription.status === 'error') {
      await this.setStatus(subscriptionId, 'active');
    }
  }

  private async send(job: RunningJob<Delivery>, owner: Actor, subscription: Subscription): Promise<void> {
    const { data } = job;
    // Before the owner's search, so that nothing is read (and audited) for an endpoint that is refused.
    const endpoint = await checkEndpoint(subscription.channel.endpoint!, this.options.settings.allowPrivateNetworks);
    const resource = await this.visibleToOwner(data, owner, subscription.criteria);
    if (!resource) {
      return; // no longer matches, or no longer visible to the owner
    }
    const bundle = notificationBundle({
      id: job.id,
      fhirBase: this.options.fhirBase,
      subscriptionId: data.subscriptionId,
      status: subscription.status === 'error' ? 'error' : 'active',
      eventNumber: data.eventNumber,
      timestamp: new Date(),
      resourceType: data.resourceType,
      resourceId: data.resourceId,
      method: data.method,
      ...(subscription.channel.payload && FULL_PAYLOADS.includes(subscription.channel.payload) ? { resource } : {}),
    });
    const xml = subscription.channel.payload === FHIR_XML_PAYLOAD;
    const status = await postToEndpoint(endpoint, {
      headers: parseHeaders(subscription.channel.header).concat([
        ['content-type', `${xml ? FHIR_XML_PAYLOAD : FHIR_JSON_PAYLOAD}; charset=utf-8`],
      ]),
      body: xml ? resourceToXml(bundle) : JSON.stringify(bundle),
      timeoutMs: this.options.settings.timeoutMs,
      signal: job.signal,
    });
    if (status < 200 || status > 299) {
      throw new DeliveryFailed(`the endpoint answered HTTP ${status}`);
    }
  }

  /**
   * The resource as the owner may see it now (audited as theirs), or undefined when it no longer
   * matches or they may no longer see it; for a deletion, the last version before it (deleted.ts).
   */
  private async visibleToOwner(data: Delivery, owner: Actor, criteria: string): Promise<Resource | undefined> {
    const evaluation = { owner, criteria, resourceType: data.resourceType, resourceId: data.resourceId };
    const { db, resources, access } = this.options;
    return data.method === 'delete'
      ? findDeletedAsOwner(db, access, { ...evaluation, versionId: data.versionId }, true)
      : findAsOwner(db, resources, access, evaluation, true);
  }

  private async current(id: string): Promise<Subscription | undefined> {
    try {
      const stored = await this.options.resources.read('Subscription', id);
      return JSON.parse(stored.json!) as Subscription;
    } catch (error) {
      if (isOperationOutcomeError(error)) {
        return undefined; // gone
      }
      throw error;
    }
  }

  /**
   * Records the delivery state on the Subscription itself (a new version, as R4 expects), unless
   * it already says so. Optimistic: a concurrent change by the owner wins and this is tried again.
   */
  private async setStatus(id: string, status: 'active' | 'error', error?: string): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const stored = await this.options.resources.read('Subscription', id).catch(() => undefined);
      const subscription = stored?.json ? (JSON.parse(stored.json) as Subscription) : undefined;
      if (!subscription || subscription.status === 'off' || subscription.status === 'requested') {
        return;
      }
      if (subscription.status === status && (status === 'active' || subscription.error !== undefined)) {
        return;
      }
      const { error: _old, ...rest } = subscription;
      void _old;
      const updated: Subscription = { ...rest, status, ...(error !== undefined ? { error } : {}) };
      try {
        await this.options.resources.update('Subscription', id, updated, { ifMatch: stored!.versionId });
        return;
      } catch (failure) {
        if (!(isOperationOutcomeError(failure) && failure.status === 412)) {
          throw failure;
        }
      }
    }
  }
}
