import type { Resource } from '@medplum/fhirtypes';
import { elementsOf, FHIR_NS, isPrimitive, isResourceType } from './schema.ts';

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
      out += typeof item === 'string' ? item : '';
    } else if (isPrimitive(type) || type === 'xhtml') {
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

/** Line breaks and tabs as character references: an XML parser turns literal ones into spaces. */
function escapeAttribute(text: string): string {
  return text.replace(/[&<>"\n\r\t]/g, (ch) => ATTRIBUTE_ESCAPES[ch]!);
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
