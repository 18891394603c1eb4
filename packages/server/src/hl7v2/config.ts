import { z } from 'zod';

/** Where the MLLP listener binds, and what it accepts. */
export interface MllpSettings {
  host: string;
  /** 0: any free port (tests). */
  port: number;
  /** A framed message larger than this is refused with AR, unread. */
  maxMessageBytes: number;
  /** Connections open at once; more are refused by the operating system's backlog. */
  maxConnections: number;
}

/** HL7 v2 intake (docs/HL7V2.md). */
export interface Hl7v2Config {
  /** Absent: no listener (CAREWEAVE_MLLP_PORT unset). */
  mllp?: MllpSettings;
  /**
   * MSH-4 sending facilities (namespace id, e.g. an ODS code) accepted; absent: any facility that
   * names an Organization in the directory.
   */
  allowedFacilities?: string[];
  /** IANA time zone of HL7 date/times sent without an offset. */
  timeZone: string;
}

function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The `CAREWEAVE_*` settings of this module, composed into the one configuration schema
 * (src/config/config.ts) so they are validated with everything else at start-up.
 */
export const hl7v2Settings = {
  MLLP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  MLLP_HOST: z.string().min(1).default('127.0.0.1'),
  MLLP_MAX_MESSAGE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  MLLP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(10_000).default(64),
  MLLP_ALLOWED_FACILITIES: z
    .string()
    .regex(/^[A-Za-z0-9._ -]+(,[A-Za-z0-9._ -]+)*$/, 'a comma-separated list of MSH-4 facility codes')
    .optional(),
  HL7V2_TIME_ZONE: z.string().refine(knownTimeZone, 'an IANA time zone such as Europe/London').default('Europe/London'),
};

type Settings = z.output<z.ZodObject<typeof hl7v2Settings>>;

/** The module's configuration from its validated settings. */
export function hl7v2Config(settings: Settings): Hl7v2Config {
  const allowed = settings.MLLP_ALLOWED_FACILITIES?.split(',')
    .map((code) => code.trim())
    .filter(Boolean);
  return {
    timeZone: settings.HL7V2_TIME_ZONE,
    ...(settings.MLLP_PORT !== undefined
      ? {
          mllp: {
            host: settings.MLLP_HOST,
            port: settings.MLLP_PORT,
            maxMessageBytes: settings.MLLP_MAX_MESSAGE_BYTES,
            maxConnections: settings.MLLP_MAX_CONNECTIONS,
          },
        }
      : {}),
    ...(allowed?.length ? { allowedFacilities: allowed } : {}),
  };
}
