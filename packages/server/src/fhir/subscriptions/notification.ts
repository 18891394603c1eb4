import type { Bundle, Parameters, Resource } from '@medplum/fhirtypes';

export interface NotificationInput {
  /** Stable across retries, so a receiver can recognise a repeat. */
  id: string;
  fhirBase: string;
  subscriptionId: string;
  status: 'active' | 'error';
  /** This notification's number for the Subscription (1, 2, …): a gap means one was lost. */
  eventNumber: number;
  timestamp: Date;
  resourceType: string;
  resourceId: string;
  /** The write that caused it. */
  method: 'create' | 'update' | 'delete';
  /** Only with `channel.payload` `application/fhir+json`: the resource as the owner may see it. */
  resource?: Resource;
}

/**
 * The notification POSTed to a rest-hook endpoint: a `history` Bundle in the shape of the R4
 * Subscriptions Backport's event notification — first a Parameters entry naming the Subscription,
 * its status and the event (number, time, focus), then the resource's entry with its fullUrl and
 * the interaction, carrying the resource itself only for a full-payload Subscription (never for a
 * deletion: there is no resource any more, only its `DELETE` entry as in a history Bundle).
 */
export function notificationBundle(input: NotificationInput): Bundle {
  const subscription = `${input.fhirBase}/Subscription/${input.subscriptionId}`;
  const focus = `${input.fhirBase}/${input.resourceType}/${input.resourceId}`;
  const timestamp = input.timestamp.toISOString();
  const status: Parameters = {
    resourceType: 'Parameters',
    parameter: [
      { name: 'subscription', valueReference: { reference: subscription } },
      { name: 'status', valueCode: input.status },
      { name: 'type', valueCode: 'event-notification' },
      { name: 'events-since-subscription-start', valueString: String(input.eventNumber) },
      {
        name: 'notification-event',
        part: [
          { name: 'event-number', valueString: String(input.eventNumber) },
          { name: 'timestamp', valueInstant: timestamp },
          { name: 'focus', valueReference: { reference: focus } },
        ],
      },
    ],
  };
  const request = {
    create: { method: 'POST', url: input.resourceType, status: '201' },
    update: { method: 'PUT', url: `${input.resourceType}/${input.resourceId}`, status: '200' },
    delete: { method: 'DELETE', url: `${input.resourceType}/${input.resourceId}`, status: '204' },
  }[input.method] as { method: 'POST' | 'PUT' | 'DELETE'; url: string; status: string };
  return {
    resourceType: 'Bundle',
    id: input.id,
    type: 'history',
    timestamp,
    entry: [
      {
        fullUrl: `urn:uuid:${input.id}`,
        resource: status,
        request: { method: 'GET', url: `Subscription/${input.subscriptionId}` },
        response: { status: '200' },
      },
      {
        fullUrl: focus,
        ...(input.resource && input.method !== 'delete' ? { resource: input.resource } : {}),
        request: { method: request.method, url: request.url },
        response: { status: request.status },
      },
    ],
  };
}
