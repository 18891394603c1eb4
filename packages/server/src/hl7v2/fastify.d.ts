import type { Hl7v2Module } from './index.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** HL7 v2 intake, worklist and MLLP listener (src/hl7v2/). */
    hl7v2: Hl7v2Module;
  }
}
