import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { fhirDefinitions } from '../definitions.ts';
import { resourceFromXml, XmlFormatError } from './from-xml.ts';
import { resourceToXml } from './to-xml.ts';

const require = createRequire(import.meta.url);
const EXAMPLES = path.dirname(require.resolve('hl7.fhir.r4.examples/package.json'));

const DEFINITION_TYPES =
  /^(StructureDefinition|SearchParameter|ValueSet|CodeSystem|ConceptMap|OperationDefinition|CompartmentDefinition|ImplementationGuide|NamingSystem|CapabilityStatement|StructureMap)-/;

/** Every clinical and administrative example, and every fifth definition (they are large and alike). */
function officialExamples(): [string, Resource][] {
  return fs
    .readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.json') && f !== 'package.json' && !f.startsWith('.'))
    .filter((f, i) => !DEFINITION_TYPES.test(f) || i % 5 === 0 || f === 'StructureDefinition-Practitioner.json')
    .map((f) => [f, JSON.parse(fs.readFileSync(path.join(EXAMPLES, f), 'utf8')) as Resource] as [string, Resource])
    .filter(([, r]) => r.resourceType && fhirDefinitions().resourceTypes.has(r.resourceType));
}

/**
 * XML's end-of-line rule: a parser reads a carriage return in element content as a line feed, so
 * narrative XHTML holding `\r` (two StructureDefinition examples) comes back with `\n` — as from
 * any XML parser. Values in attributes keep theirs (written as `&#13;`).
 */
function withXmlLineEnds(resource: Resource): Resource {
  return JSON.parse(
    JSON.stringify(resource, (key, value: unknown) =>
      key === 'div' && typeof value === 'string' ? value.replace(/\r\n?/g, '\n') : value,
    ),
  ) as Resource;
}

describe('FHIR XML', () => {
  it('round-trips every official R4 example: JSON → XML → JSON gives the same resource', () => {
    const failures: string[] = [];
    for (const [file, resource] of officialExamples()) {
      try {
        const back = resourceFromXml(resourceToXml(resource));
        expect(back).toEqual(withXmlLineEnds(resource));
      } catch (error) {
        failures.push(`${file}: ${String(error).slice(0, 300)}`);
      }
    }
    expect(failures).toEqual([]);
    // Every official example, twice through the converter: a minute of CPU on a busy 2-core machine.
  }, 300_000);

  it('writes elements in the specification order, primitives as value attributes, id and url as attributes', () => {
    const xml = resourceToXml({
      resourceType: 'Patient',
      gender: 'female',
      id: 'p1',
      birthDate: '1970-03-01',
      _birthDate: {
        extension: [
          { url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '1970-03-01T14:35:45Z' },
        ],
      },
      name: [{ id: 'n1', given: ['Ann', 'Mary'], _given: [null, { id: 'g2' }], family: 'Smith & "Jones"' }],
      multipleBirthInteger: 2,
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Ann &amp; co</p></div>' },
      communication: [{ language: { text: 'line one\nline two' } }],
    } as unknown as Resource);
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Patient xmlns="http://hl7.org/fhir"><id value="p1"/>' +
        '<text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml"><p>Ann &amp; co</p></div></text>' +
        '<name id="n1"><family value="Smith &amp; &quot;Jones&quot;"/><given value="Ann"/><given value="Mary" id="g2"/></name>' +
        '<gender value="female"/><birthDate value="1970-03-01"><extension url="http://hl7.org/fhir/StructureDefinition/patient-birthTime">' +
        '<valueDateTime value="1970-03-01T14:35:45Z"/></extension></birthDate><multipleBirthInteger value="2"/>' +
        '<communication><language><text value="line one&#10;line two"/></language></communication></Patient>',
    );
  });

  it('never lets a stored narrative close the elements around it (XML injection)', () => {
    const forged =
      '<div xmlns="http://www.w3.org/1999/xhtml">x</div></text></Observation></resource></entry>' +
      '<entry><resource><AllergyIntolerance><id value="forged"/></AllergyIntolerance></resource></entry>' +
      '<entry><resource><Observation><text><div xmlns="http://www.w3.org/1999/xhtml">';
    const bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        {
          resource: {
            resourceType: 'Observation',
            status: 'final',
            code: { text: 'BP' },
            text: { status: 'generated', div: forged },
          },
        },
      ],
    } as Resource;
    const back = resourceFromXml(resourceToXml(bundle)) as unknown as {
      entry: { resource: { resourceType: string; text: { div: string } } }[];
    };
    expect(back.entry).toHaveLength(1);
    expect(back.entry[0]!.resource.resourceType).toBe('Observation');
    // The forged markup is the narrative's text now, not elements.
    expect(back.entry[0]!.resource.text.div).toContain('&lt;AllergyIntolerance&gt;');
  });

  it('adds the XHTML namespace to a narrative written without it', () => {
    const xml = resourceToXml({
      resourceType: 'Basic',
      code: { text: 'x' },
      text: { status: 'generated', div: '<div>plain</div>' },
    });
    expect(xml).toContain('<div xmlns="http://www.w3.org/1999/xhtml">plain</div>');
  });

  it('writes characters XML cannot carry (controls, U+FFFF, lone surrogates) as U+FFFD', () => {
    const xml = resourceToXml({
      resourceType: 'Patient',
      name: [{ family: 'A\uffffB\u0001C\ud800' }],
    });
    expect(resourceFromXml(xml)).toEqual({ resourceType: 'Patient', name: [{ family: 'A\ufffdB\ufffdC\ufffd' }] });
  });

  it('reads typed values: numbers, booleans, repeating elements as arrays, single ones as values', () => {
    const resource = resourceFromXml(`<?xml version="1.0" encoding="UTF-8"?>
      <!-- a comment is ignored -->
      <Observation xmlns="http://hl7.org/fhir">
        <status value="final"/>
        <code><coding><system value="http://loinc.org"/><code value="2339-0"/></coding></code>
        <valueQuantity><value value="6.30"/><unit value="mmol/L"/></valueQuantity>
        <component><code><text value="a"/></code><valueBoolean value="true"/></component>
        <component><code><text value="b"/></code><valueInteger value="-3"/></component>
      </Observation>`);
    expect(resource).toEqual({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '2339-0' }] },
      valueQuantity: { value: 6.3, unit: 'mmol/L' },
      component: [
        { code: { text: 'a' }, valueBoolean: true },
        { code: { text: 'b' }, valueInteger: -3 },
      ],
    });
  });

  it.each([
    [
      'a DTD (entity expansion)',
      '<!DOCTYPE x [<!ENTITY a "aaaa">]><Patient xmlns="http://hl7.org/fhir"><id value="&a;"/></Patient>',
      /must not contain a DTD/,
    ],
    ['not XML', '<Patient xmlns="http://hl7.org/fhir"><id value="1"></Patient>', /Not well-formed XML/],
    ['no FHIR namespace', '<Patient><id value="1"/></Patient>', /FHIR namespace/],
    ['not a resource', '<Banana xmlns="http://hl7.org/fhir"/>', /not a FHIR R4 resource type/],
    [
      'an unknown element',
      '<Patient xmlns="http://hl7.org/fhir"><colour value="red"/></Patient>',
      /Unknown element <colour> in Patient/,
    ],
    [
      'a repeated single element',
      '<Patient xmlns="http://hl7.org/fhir"><gender value="male"/><gender value="female"/></Patient>',
      /may appear only once in Patient/,
    ],
    [
      'an unknown attribute',
      '<Patient xmlns="http://hl7.org/fhir"><active value="true" hidden="x"/></Patient>',
      /Unknown attribute 'hidden' on Patient.active/,
    ],
    [
      'a bad boolean',
      '<Patient xmlns="http://hl7.org/fhir"><active value="yes"/></Patient>',
      /Patient.active must be true or false/,
    ],
    [
      'a bad decimal',
      '<Observation xmlns="http://hl7.org/fhir"><valueQuantity><value value="1,5"/></valueQuantity></Observation>',
      /must be a decimal number/,
    ],
    [
      'text content',
      '<Patient xmlns="http://hl7.org/fhir"><gender>male</gender></Patient>',
      /Unexpected text in Patient.gender/,
    ],
    ['two roots', '<Patient xmlns="http://hl7.org/fhir"/><Patient xmlns="http://hl7.org/fhir"/>', /one root element/],
  ])('refuses %s with a message saying what is wrong', (_name, xml, message) => {
    expect(() => resourceFromXml(xml)).toThrow(XmlFormatError);
    expect(() => resourceFromXml(xml)).toThrow(message);
  });
});
