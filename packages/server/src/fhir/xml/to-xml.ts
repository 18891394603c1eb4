import type { Resource } from '@medplum/fhirtypes';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { elementsOf, FHIR_NS, isPrimitive, isResourceType, XHTML_NS } from './schema.ts';

type Obj = Record<string, unknown>;

/**
 * A resource as FHIR XML (https://hl7.org/fhir/R4/xml.html): elements in the specification's order
 * (XML is ordered, JSON is not), primitives as `value` attributes with their `_name` id and
 * extensions, `id` and `Extension.url` as attributes, the narrative's XHTML as it is, contained and
 * Bundle resources wrapped in their type's element.
 */
export function resourceToXml(resource: Resource): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${writeResource(resource as unknown as Obj, true)}`;
}

function writeResource(resource: Obj, root: boolean): string {
  const type = String(resource.resourceType);
  return `<${type}${root ? ` xmlns="${FHIR_NS}"` : ''}>${writeChildren(resource, type)}</${type}>`;
}

function writeChildren(value: Obj, type: string): string {
  const resource = isResourceType(type);
  let out = '';
  for (const slot of elementsOf(type)) {
    if ((slot.name === 'id' && !resource) || (type === 'Extension' && slot.name === 'url')) {
      continue; // attributes
    }
    if (value[slot.name] !== undefined || value[`_${slot.name}`] !== undefined) {
      out += writeElement(slot.name, slot.type, value[slot.name], value[`_${slot.name}`]);
    }
  }
  return out;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

function writeElement(name: string, type: string, value: unknown, extensions: unknown): string {
  const values = list(value);
  const extras = list(extensions);
  let out = '';
  for (let i = 0; i < Math.max(values.length, extras.length); i++) {
    const item = values[i];
    if (type === 'xhtml') {
      out += typeof item === 'string' ? narrativeXhtml(item) : '';
    } else if (isPrimitive(type)) {
      out += writePrimitive(name, item, extras[i] as Obj | null | undefined);
    } else if (item && typeof item === 'object') {
      out += writeComplex(name, type, item as Obj);
    }
  }
  return out;
}

function writePrimitive(name: string, value: unknown, extra: Obj | null | undefined): string {
  const text =
    typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  const attrs =
    (text !== undefined ? ` value="${escapeAttribute(text)}"` : '') +
    (typeof extra?.id === 'string' ? ` id="${escapeAttribute(extra.id)}"` : '');
  const children = extra?.extension ? writeElement('extension', 'Extension', extra.extension, undefined) : '';
  return children ? `<${name}${attrs}>${children}</${name}>` : `<${name}${attrs}/>`;
}

function writeComplex(name: string, type: string, value: Obj): string {
  // `Resource` (contained, Bundle.entry.resource) or a named one (Bundle.entry.response.outcome).
  if (type === 'Resource' || isResourceType(type)) {
    return `<${name}>${writeResource(value, false)}</${name}>`;
  }
  const attrs =
    (typeof value.id === 'string' ? ` id="${escapeAttribute(value.id)}"` : '') +
    (type === 'Extension' && typeof value.url === 'string' ? ` url="${escapeAttribute(value.url)}"` : '');
  return `<${name}${attrs}>${writeChildren(value, type)}</${name}>`;
}

/**
 * Line breaks and tabs as character references (an XML parser turns literal ones into spaces);
 * characters XML 1.0 cannot carry at all, even as references (controls, U+FFFE/U+FFFF, a lone
 * surrogate), which JSON strings may hold, as U+FFFD, so one odd value cannot make a whole Bundle
 * unreadable to strict XML clients.
 */
function escapeAttribute(text: string): string {
  return withoutXmlForbidden(text).replace(/[&<>"\n\r\t]/g, (ch) => ATTRIBUTE_ESCAPES[ch]!);
}

// Control characters are what this matches: XML 1.0 has no way to carry them.
// eslint-disable-next-line no-control-regex
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|\p{Cs}/gu;

function withoutXmlForbidden(text: string): string {
  return text.replace(XML_FORBIDDEN, '\uFFFD');
}

/**
 * The narrative as written when it is exactly one well-formed `<div>` element in the XHTML
 * namespace; anything else (a stored div that would close elements around it and smuggle in
 * others, or that is not XML at all) goes out as that div's text, escaped, so the XML around it
 * always means what the resource means.
 */
function narrativeXhtml(div: string): string {
  const clean = withoutXmlForbidden(div);
  const shape = divShape(clean);
  if (shape === 'xhtml') {
    return clean;
  }
  if (shape === 'no-namespace') {
    return clean.replace(/^<div/, `<div xmlns="${XHTML_NS}"`);
  }
  const text = clean.replace(/[&<>]/g, (ch) => ATTRIBUTE_ESCAPES[ch]!);
  return `<div xmlns="${XHTML_NS}">${text}</div>`;
}

const divParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
});

/** Whether the text is one well-formed `<div>` element, and whether it names the XHTML namespace. */
function divShape(div: string): 'xhtml' | 'no-namespace' | 'other' {
  if (!/^<div[\s>/]/.test(div) || XMLValidator.validate(div) !== true) {
    return 'other';
  }
  const nodes = (divParser.parse(div) as Record<string, unknown>[]).filter(
    (node) => !('#text' in node) || String(node['#text'] as string).trim() !== '',
  );
  if (nodes.length !== 1 || !('div' in nodes[0]!)) {
    return 'other';
  }
  const namespace = (nodes[0][':@'] as Record<string, string> | undefined)?.xmlns;
  return namespace === XHTML_NS ? 'xhtml' : namespace === undefined ? 'no-namespace' : 'other';
}

const ATTRIBUTE_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\n': '&#10;',
  '\r': '&#13;',
  '\t': '&#9;',
};
