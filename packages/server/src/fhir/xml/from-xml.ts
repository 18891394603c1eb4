import { XMLParser } from 'fast-xml-parser';
import { FHIR_NS, isPrimitive, isResourceType, slotFor, XHTML_NS } from './schema.ts';

type Obj = Record<string, unknown>;
/** fast-xml-parser's ordered form: `{ tag: children, ':@': attributes }` or `{ '#text': text }`. */
type XmlNode = Record<string, unknown> & { ':@'?: Record<string, string> };

/** Input that is not FHIR XML; the message says what and where, for a 400 OperationOutcome. */
export class XmlFormatError extends Error {}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // The narrative stays the XHTML it was written as.
  stopNodes: ['*.div'],
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // The reader is recursive: bounded here as well as by the text check (src/http/xml-body.ts).
  maxNestedTags: 128,
});

/**
 * Reads FHIR XML (https://hl7.org/fhir/R4/xml.html) into the JSON form every other part of the
 * server works with, typed by the R4 StructureDefinitions: repeating elements become arrays,
 * numbers and booleans their JSON types, `value`/`id`/extensions of primitives `name` and
 * `_name`. A DTD is refused before parsing (FHIR forbids them; entity expansion is an attack),
 * and so is anything the specification does not define.
 */
export function resourceFromXml(xml: string): Obj {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    throw new XmlFormatError('FHIR XML must not contain a DTD (<!DOCTYPE> or <!ENTITY>)');
  }
  let nodes: XmlNode[];
  try {
    nodes = parser.parse(xml, true) as XmlNode[];
  } catch (error) {
    throw new XmlFormatError(`Not well-formed XML: ${(error as Error).message}`);
  }
  const roots = nodes.filter((node) => !('#text' in node) || String(node['#text']).trim() !== '');
  const root = roots[0];
  if (roots.length !== 1 || !root) {
    throw new XmlFormatError('Expected one root element, a FHIR resource');
  }
  const type = tagOf(root);
  if (root[':@']?.xmlns !== FHIR_NS) {
    throw new XmlFormatError(`The root element <${type}> must be in the FHIR namespace (xmlns="${FHIR_NS}")`);
  }
  return readResource(root, type);
}

function tagOf(node: XmlNode): string {
  const tag = Object.keys(node).find((key) => key !== ':@');
  if (!tag) {
    throw new XmlFormatError('Empty element');
  }
  return tag;
}

function readResource(node: XmlNode, type: string): Obj {
  if (!isResourceType(type)) {
    throw new XmlFormatError(`<${type}> is not a FHIR R4 resource type`);
  }
  checkAttributes(node[':@'] ?? {}, ['xmlns'], type);
  const resource: Obj = { resourceType: type };
  readChildren(resource, node[type] as XmlNode[], type, type);
  return resource;
}

interface Collected {
  isArray: boolean;
  values: unknown[];
  extras: (Obj | null)[];
}

function readChildren(target: Obj, children: XmlNode[], type: string, path: string): void {
  const collected = new Map<string, Collected>();
  for (const child of children) {
    if ('#text' in child) {
      if (String(child['#text']).trim() !== '') {
        throw new XmlFormatError(`Unexpected text in ${path}: FHIR XML carries values in value attributes`);
      }
      continue;
    }
    const name = tagOf(child);
    const slot = slotFor(type, name);
    if (!slot || (name === 'id' && !isResourceType(type)) || (type === 'Extension' && name === 'url')) {
      throw new XmlFormatError(`Unknown element <${name}> in ${path}`);
    }
    let entry = collected.get(name);
    if (!entry) {
      entry = { isArray: slot.isArray, values: [], extras: [] };
      collected.set(name, entry);
    } else if (!slot.isArray) {
      throw new XmlFormatError(`<${name}> may appear only once in ${path}`);
    }
    const childPath = `${path}.${name}`;
    const attributes = child[':@'] ?? {};
    const content = child[name] as XmlNode[];
    checkAttributes(attributes, allowedAttributes(slot.type), childPath);
    if (slot.type === 'xhtml') {
      entry.values.push(xhtml(attributes, content, childPath));
      entry.extras.push(null);
    } else if (isPrimitive(slot.type)) {
      const extra = primitiveExtras(attributes, content, childPath);
      entry.values.push(attributes.value === undefined ? null : primitiveValue(slot.type, attributes.value, childPath));
      entry.extras.push(extra);
    } else if (slot.type === 'Resource' || isResourceType(slot.type)) {
      const inner = content.filter((node) => !('#text' in node));
      if (inner.length !== 1) {
        throw new XmlFormatError(`${childPath} must hold exactly one resource`);
      }
      entry.values.push(readResource(inner[0]!, tagOf(inner[0]!)));
      entry.extras.push(null);
    } else {
      const value: Obj = {};
      if (attributes.id !== undefined) {
        value.id = attributes.id;
      }
      if (slot.type === 'Extension') {
        value.url = attributes.url;
      }
      readChildren(value, content, slot.type, childPath);
      entry.values.push(value);
      entry.extras.push(null);
    }
  }
  for (const [name, { isArray, values, extras }] of collected) {
    if (values.some((v) => v !== null)) {
      target[name] = isArray ? values : values[0];
    }
    if (extras.some((e) => e !== null)) {
      target[`_${name}`] = isArray ? extras : extras[0];
    }
  }
}

/** The attributes FHIR XML gives an element of this type (the narrative's XHTML is checked as XHTML). */
function allowedAttributes(type: string): readonly string[] | undefined {
  if (type === 'xhtml') {
    return undefined;
  }
  if (isPrimitive(type)) {
    return ['value', 'id'];
  }
  if (type === 'Resource' || isResourceType(type)) {
    return [];
  }
  return type === 'Extension' ? ['id', 'url'] : ['id'];
}

/** Anything else is not FHIR: refused rather than silently dropped. */
function checkAttributes(
  attributes: Record<string, string>,
  allowed: readonly string[] | undefined,
  path: string,
): void {
  if (!allowed) {
    return;
  }
  const unknown = Object.keys(attributes).find((name) => !allowed.includes(name));
  if (unknown !== undefined) {
    throw new XmlFormatError(`Unknown attribute '${unknown}' on ${path}`);
  }
}

/** A primitive's `id` attribute and `<extension>` children, JSON's `_name`. */
function primitiveExtras(attributes: Record<string, string>, content: XmlNode[], path: string): Obj | null {
  const extra: Obj = {};
  if (attributes.id !== undefined) {
    extra.id = attributes.id;
  }
  const holder: Obj = {};
  readChildren(holder, content, 'Element', path);
  if (holder.extension) {
    extra.extension = holder.extension;
  }
  return Object.keys(extra).length ? extra : null;
}

const INTEGER = /^-?(0|[1-9][0-9]*)$/;
const DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

function primitiveValue(type: string, text: string, path: string): unknown {
  switch (type) {
    case 'boolean':
      if (text !== 'true' && text !== 'false') {
        throw new XmlFormatError(`${path} must be true or false, not '${text}'`);
      }
      return text === 'true';
    case 'integer':
    case 'unsignedInt':
    case 'positiveInt':
      if (!INTEGER.test(text)) {
        throw new XmlFormatError(`${path} must be a whole number, not '${text}'`);
      }
      return Number(text);
    case 'decimal':
      if (!DECIMAL.test(text)) {
        throw new XmlFormatError(`${path} must be a decimal number, not '${text}'`);
      }
      return Number(text);
    default:
      return text;
  }
}

function xhtml(attributes: Record<string, string>, content: XmlNode[], path: string): string {
  if (attributes.xmlns !== XHTML_NS) {
    throw new XmlFormatError(`${path} must be in the XHTML namespace (xmlns="${XHTML_NS}")`);
  }
  const attrs = Object.entries(attributes)
    .map(([name, value]) => ` ${name}="${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')}"`)
    .join('');
  const inner = content.map((node) => (typeof node['#text'] === 'string' ? node['#text'] : '')).join('');
  return `<div${attrs}>${inner}</div>`;
}
