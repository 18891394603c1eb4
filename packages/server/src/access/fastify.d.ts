import type { Actor } from './actor.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling, from the verified access token; set by the sign-in layer (src/auth/). */
    actor?: Actor;
  }
}
