import { MAX_JSON_DEPTH } from '../fhir/limits.ts';
import { issue, OperationOutcomeError, outcome, tooCostly } from '../fhir/outcome.ts';
import { resourceFromXml, XmlFormatError } from '../fhir/xml/from-xml.ts';
import { parseJsonBody, type JsonBodyLimits } from './json-body.ts';

/** XHTML narrative and FHIR's own nesting together stay well inside this; a deeper body is an attack. */
const MAX_XML_DEPTH = MAX_JSON_DEPTH * 2;

/**
 * Reads a FHIR XML request body into the JSON the rest of the server works with. The nesting is
 * checked on the text first (the reader is recursive), then the JSON passes the same node, depth and
 * storable-text limits as a JSON body (src/http/json-body.ts), so XML is never a way around them.
 */
export function parseXmlBody(text: string, limits: JsonBodyLimits): unknown {
  checkXmlMarkup(text, limits.maxNodes);
  checkXmlDepth(text);
  let resource: unknown;
  try {
    resource = resourceFromXml(text);
  } catch (error) {
    if (error instanceof XmlFormatError) {
      throw new OperationOutcomeError(
        outcome(issue('error', 'invalid', `The body is not valid FHIR XML: ${error.message}`)),
        400,
      );
    }
    throw error;
  }
  return parseJsonBody(JSON.stringify(resource), limits);
}

/**
 * Elements, attributes and entity references, counted over the text before any parsing: each
 * becomes a JSON value or costs as much to read, so more than twice the JSON node limit is refused
 * (413) as a JSON body with that many values would be, without first spending seconds parsing it.
 */
function checkXmlMarkup(text: string, maxNodes: number): void {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // < = &
    if ((code === 60 || code === 61 || code === 38) && ++count > maxNodes * 2) {
      throw tooCostly(`The body has more than ${maxNodes * 2} XML elements, attributes and references`, 413);
    }
  }
}

/** Element nesting, counted over the text: `<a>` opens, `</a>` closes, `<a/>`, comments and `<?…?>` neither. */
function checkXmlDepth(text: string): void {
  let depth = 0;
  let i = text.indexOf('<');
  while (i >= 0 && i < text.length) {
    const next = text[i + 1];
    let end = tagEnd(text, i);
    if (next === '/') {
      depth--;
    } else if (next === '!' || next === '?') {
      // Comments, CDATA and processing instructions end at their own terminators, whatever quotes they hold.
      const terminator = text.startsWith('<!--', i)
        ? '-->'
        : text.startsWith('<![CDATA[', i)
          ? ']]>'
          : next === '?'
            ? '?>'
            : '>';
      const found = text.indexOf(terminator, i + 2);
      end = found < 0 ? text.length : found + terminator.length - 1;
    } else if (text[end - 1] !== '/') {
      if (++depth > MAX_XML_DEPTH) {
        throw tooCostly(`The body nests elements more than ${MAX_XML_DEPTH} deep`, 400);
      }
    }
    i = text.indexOf('<', end);
  }
}

/** The index of the `>` that ends the tag starting at `start`, skipping quoted attribute values. */
function tagEnd(text: string, start: number): number {
  let quote: string | undefined;
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) {
        quote = undefined;
      }
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '>') {
      return i;
    }
  }
  return text.length;
}
