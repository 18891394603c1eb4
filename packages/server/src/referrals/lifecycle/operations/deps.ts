import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../../access/actor.ts';
import type { ReferralLifecycle } from '../referral.service.ts';

/** What the lifecycle's operations need. */
export interface LifecycleDeps {
  lifecycle: ReferralLifecycle;
  actorOf(request: FastifyRequest): Actor | undefined;
}
