import { gunzipSync } from 'node:zlib';
import type { Bundle, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorClient } from '../../access/testing/actor-client.ts';
import { ACTORS, loadScenario } from '../../access/testing/scenario.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { resourceFromXml } from '../xml/from-xml.ts';
import { resourceToXml } from '../xml/to-xml.ts';

/**
 * FHIR XML over the REST API (issue 15, item 10): `application/fhir+xml` in and out, chosen by
 * `_format` or `Accept`, for every interaction and every error, behind the same checks as JSON.
 */
let t: TestApp;
const XML = 'application/fhir+xml';

const patientXml = (family: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>
<Patient xmlns="http://hl7.org/fhir">
  <!-- as a standard client writes it -->
  <text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml"><p>${family} &amp; family</p></div></text>
  <identifier><system value="https://fhir.nhs.uk/Id/nhs-number"/><value value="9000000009"/></identifier>
  <active value="true"/>
  <name><family value="${family}"/><given value="Ann"/><given value="Marie"/></name>
  <gender value="female"/>
  <birthDate value="1950-02-14"><extension url="http://hl7.org/fhir/StructureDefinition/patient-birthTime"><valueDateTime value="1950-02-14T06:30:00Z"/></extension></birthDate>
  <multipleBirthInteger value="1"/>
</Patient>`;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const xmlRequest = async (method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
  const response = await t.app.inject({
    method: method as 'GET',
    url: `/fhir/R4/${path}`,
    headers: { ...(body ? { 'content-type': XML } : {}), accept: XML, ...headers },
    payload: body,
  });
  return { status: response.statusCode, headers: response.headers, text: response.body };
};

describe('FHIR XML', () => {
  it('creates from XML and reads back as XML, with the same content as JSON', async () => {
    const created = await xmlRequest('POST', 'Patient', patientXml('Xmlson'));
    expect(created.status, created.text).toBe(201);
    expect(created.headers['content-type']).toBe('application/fhir+xml; charset=utf-8');
    const stored = resourceFromXml(created.text) as unknown as Patient;
    expect(stored).toMatchObject({
      resourceType: 'Patient',
      active: true,
      name: [{ family: 'Xmlson', given: ['Ann', 'Marie'] }],
      birthDate: '1950-02-14',
      _birthDate: { extension: [{ valueDateTime: '1950-02-14T06:30:00Z' }] },
      multipleBirthInteger: 1,
    });
    const asJson = await t.fhir('GET', `Patient/${stored.id}`);
    expect(asJson.headers['content-type']).toContain('application/fhir+json');
    expect(asJson.body).toEqual(stored);
    const asXml = await xmlRequest('GET', `Patient/${stored.id}`, undefined, { accept: 'application/json' });
    expect(asXml.headers['content-type']).toContain('application/fhir+json');
    const byFormat = await xmlRequest('GET', `Patient/${stored.id}?_format=xml`, undefined, { accept: '*/*' });
    expect(byFormat.text).toBe(resourceToXml(stored));
  });

  it.each([
    ['_format=xml', '?_format=xml', {}],
    ['_format=application/fhir+xml (the + read as a space)', '?_format=application/fhir+xml', {}],
    ['_format=text/xml', '?_format=text%2Fxml', {}],
    ['Accept preferring XML by q', '', { accept: 'application/fhir+json;q=0.5, application/fhir+xml' }],
    ['Accept: application/xml', '', { accept: 'application/xml' }],
  ])('searches answer a Bundle in XML for %s', async (_name, query, headers) => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/fhir/R4/Patient${query || '?'}&family=Xmlson`,
      headers,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('application/fhir+xml; charset=utf-8');
    const bundle = resourceFromXml(response.body) as unknown as Bundle;
    expect(bundle.type).toBe('searchset');
    expect(bundle.entry?.map((e) => (e.resource as Patient).name?.[0]?.family)).toEqual(['Xmlson']);
  });

  it('answers JSON for JSON, a browser, or no Accept', async () => {
    for (const accept of ['application/fhir+json', 'text/html,application/xhtml+xml;q=0.9', '']) {
      const response = await t.app.inject({
        method: 'GET',
        url: '/fhir/R4/Patient?family=Xmlson',
        headers: { accept },
      });
      expect(response.headers['content-type'], accept).toContain('application/fhir+json');
    }
  });

  it('refuses a _format it does not speak with 406, and leaves NDJSON to the operations that stream it', async () => {
    const response = await t.fhir('GET', 'Patient?_format=ttl');
    expect(response.status).toBe(406);
    expect(response.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'not-supported' }] });
    const ndjson = await t.app.inject({ method: 'GET', url: '/fhir/R4/$audit-log?_format=ndjson' });
    expect(ndjson.statusCode, ndjson.body).toBe(200);
    expect(ndjson.headers['content-type']).toContain('ndjson');
  });

  it('describes itself in XML, naming both formats', async () => {
    const response = await xmlRequest('GET', 'metadata');
    expect(response.status).toBe(200);
    const statement = resourceFromXml(response.text) as { format?: string[] };
    expect(statement.format).toEqual(expect.arrayContaining(['application/fhir+json', 'application/fhir+xml']));
  });

  it('answers errors as XML OperationOutcomes when XML was asked for', async () => {
    const missing = await xmlRequest('GET', 'Patient/not-there');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toBe('application/fhir+xml; charset=utf-8');
    expect(resourceFromXml(missing.text)).toMatchObject({ resourceType: 'OperationOutcome' });
  });

  it.each([
    [
      'an unknown element',
      '<Patient xmlns="http://hl7.org/fhir"><colour value="red"/></Patient>',
      'Unknown element <colour>',
    ],
    ['a DTD', '<!DOCTYPE p [<!ENTITY x "y">]><Patient xmlns="http://hl7.org/fhir"/>', 'must not contain a DTD'],
    ['broken XML', '<Patient xmlns="http://hl7.org/fhir"><active value="true"></Patient>', 'Not well-formed XML'],
    [
      'a bad boolean',
      '<Patient xmlns="http://hl7.org/fhir"><active value="ja"/></Patient>',
      'Patient.active must be true or false',
    ],
    [
      'elements nested thousands deep',
      `<Patient xmlns="http://hl7.org/fhir">${'<extension url="x">'.repeat(5000)}</Patient>`,
      'nests elements more than',
    ],
  ])('refuses %s with a 400 OperationOutcome and writes nothing', async (_name, body, message) => {
    const before = await t.fhir('GET', 'Patient?_summary=count');
    const response = await t.fhir('POST', 'Patient', body, { 'content-type': XML });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toContain(message);
    const after = await t.fhir('GET', 'Patient?_summary=count');
    expect((after.body as Bundle).total).toBe((before.body as Bundle).total);
  });

  it('refuses, unread, an XML body with more markup than a JSON body may have values (413)', async () => {
    const attributes = Array.from({ length: 210_000 }, (_, i) => ` a${i}="x"`).join('');
    const response = await t.fhir(
      'POST',
      'Patient',
      `<Patient xmlns="http://hl7.org/fhir"><active value="true"${attributes}/></Patient>`,
      {
        'content-type': XML,
      },
    );
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'too-costly' }] });
  });

  it('reads XML only on the FHIR API: elsewhere it is refused unread (415), before any sign-in', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/webhooks/sms/notify',
      headers: { 'content-type': 'text/xml', authorization: '' },
      payload: '<x/>',
    });
    expect(response.statusCode).toBe(415);
    expect(JSON.parse(response.body)).toMatchObject({ resourceType: 'OperationOutcome' });
  });

  it('runs a transaction Bundle written in XML', async () => {
    const bundle = `<Bundle xmlns="http://hl7.org/fhir"><type value="transaction"/>
      <entry><fullUrl value="urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"/>
        <resource><Patient><name><family value="Bundleson"/></name></Patient></resource>
        <request><method value="POST"/><url value="Patient"/></request></entry>
      <entry><resource><Observation><status value="final"/><code><text value="weight"/></code>
          <subject><reference value="urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"/></subject>
          <valueQuantity><value value="72.50"/><unit value="kg"/></valueQuantity></Observation></resource>
        <request><method value="POST"/><url value="Observation"/></request></entry></Bundle>`;
    const response = await xmlRequest('POST', '', bundle);
    expect(response.status, response.text).toBe(200);
    const result = resourceFromXml(response.text) as unknown as Bundle;
    expect(result.type).toBe('transaction-response');
    expect(result.entry?.map((e) => e.response?.status)).toEqual(['201 Created', '201 Created']);
    const observations = await t.fhir('GET', 'Observation?subject.family=Bundleson');
    expect((observations.body as Bundle).entry?.[0]?.resource).toMatchObject({ valueQuantity: { value: 72.5 } });
  });

  it('compresses XML answers like JSON ones', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/fhir/R4/metadata?_format=xml',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.headers['content-type']).toBe('application/fhir+xml; charset=utf-8');
    const text = gunzipSync(response.rawPayload).toString('utf8');
    expect(resourceFromXml(text)).toMatchObject({ resourceType: 'CapabilityStatement' });
  });
});

describe('FHIR XML under the access policy', () => {
  beforeAll(async () => {
    await loadScenario(t.platform.db, t.fhirBase);
  });

  it('an XML write naming a patient the caller may not see is refused as JSON would be', async () => {
    const client = actorClient(t);
    const body = `<Observation xmlns="http://hl7.org/fhir"><status value="final"/><code><text value="BP"/></code>
      <subject><reference value="Patient/p3"/></subject></Observation>`;
    const refused = await client.as(ACTORS.gp, 'POST', 'Observation', body, { 'content-type': XML });
    expect(refused.status).toBe(403);
    const hidden = await client.as(ACTORS.gp, 'GET', 'Patient/p3?_format=xml');
    expect(hidden.status).toBe(404);
    expect(resourceFromXml(String(hidden.body))).toMatchObject({
      resourceType: 'OperationOutcome',
    } satisfies Partial<OperationOutcome>);
  });
});
