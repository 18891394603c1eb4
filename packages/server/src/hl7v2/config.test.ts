import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../config/config.ts';

describe('HL7 v2 settings', () => {
  test('no listener unless CAREWEAVE_MLLP_PORT is set; Europe/London by default', () => {
    expect(loadConfig({}).hl7v2).toEqual({ timeZone: 'Europe/London' });
  });

  test('the listener settings, with defaults', () => {
    const config = loadConfig({ CAREWEAVE_MLLP_PORT: '2575', CAREWEAVE_MLLP_ALLOWED_FACILITIES: 'RVY01, RRF01' });
    expect(config.hl7v2).toEqual({
      timeZone: 'Europe/London',
      mllp: { host: '127.0.0.1', port: 2575, maxMessageBytes: 1_048_576, maxConnections: 64 },
      allowedFacilities: ['RVY01', 'RRF01'],
    });
  });

  test.each([
    ['CAREWEAVE_MLLP_PORT', 'mllp'],
    ['CAREWEAVE_MLLP_PORT', '70000'],
    ['CAREWEAVE_MLLP_MAX_MESSAGE_BYTES', '10'],
    ['CAREWEAVE_MLLP_ALLOWED_FACILITIES', 'RVY|01'],
    ['CAREWEAVE_HL7V2_TIME_ZONE', 'Mars/Olympus'],
  ])('%s=%s is refused at start-up', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });
});
